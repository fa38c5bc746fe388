/*
 * loop.c - libev + curl multi_socket glue.  See loop.h.
 *
 * The traps of evhiperfifo.c are avoided: the timer is set in seconds as
 * ms / 1000.0 and stopped on -1; CURLMOPT_TIMERFUNCTION and
 * CURLMOPT_SOCKETFUNCTION never call back into curl; an ev_io is changed
 * only when its event mask changes; every completion is drained by
 * drain() and nowhere else.
 *
 * A keep-alive connection is handed over between transfers: curl says
 * CURL_POLL_REMOVE when one transfer ends and wants the same socket again
 * when the next one starts.  Stopping and restarting its ev_io would cost
 * an epoll_ctl per request, so a removed socket's watcher is only parked
 * (left running) until curl wants the socket again, an event comes for
 * it (then it stops), or curl closes it: the close goes through
 * CURLOPT_CLOSESOCKETFUNCTION, so a parked watcher never outlives its fd
 * (a new socket with the same number gets a fresh registration).
 *
 * A socket's watcher is made when the socket is (CURLOPT_OPENSOCKETFUNCTION),
 * where running out of memory fails that one transfer; the socket
 * callback then only starts it.  A socket callback that fails cannot
 * fail one transfer: curl 7.88 then marks the whole multi handle dead.
 *
 * One exception to "through close_cb": libcurl 7.88 closes the socket of
 * a transfer removed while it is still connecting (a cancel) with a plain
 * close(), and says CURL_POLL_REMOVE only afterwards.  sl_loop_remove()
 * checks the sockets curl let go of during the removal, and a watcher
 * whose fd is gone goes too (left running, libev would abort on the
 * closed fd).
 *
 * The fetcher's alarm (its timer heap: deadlines, rate tokens) is a
 * timerfd watched like a socket, not an ev_timer: libev's timers wake up
 * to 2 ms late (epoll_wait takes whole milliseconds and libev adds one so
 * as never to wake early), a timerfd wakes epoll within microseconds.  Its
 * watcher has the highest priority, so a due deadline goes before the
 * sockets that are ready in the same iteration.  An ev_timer is the
 * fallback when no timerfd can be made.
 *
 * Every watcher here is weak (weak.h): none keeps a caller's loop alive.
 * The one reference that does is sl_loop_hold()'s, and the idle watcher
 * of a tick that is due.
 */
#include "loop/loop.h"
#include "loop/weak.h"

#include "base/array.h"
#include "base/list.h"
#include "limits/ns.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

/* One watcher per socket curl tells us about (or parked: curl removed
   it, the fd is still open).  Freed watchers are kept on a free list so a
   busy run allocates none. */
struct sockw {
  ev_io io;
  struct sl_loop *loop;
  struct sockw *prev, *next; /* live or spare list */
  void *owner;               /* the conn hook's, from open_cb; or NULL */
  bool parked;               /* running, but curl has let go */
};

/* A watched signal.  libev lets one loop of a process watch a signal. */
struct sigw {
  ev_signal sig;
  struct sl_loop *loop;
  void (*cb)(int signum, void *ud);
  void *ud;
};
static struct sigw *sig_owner[NSIG];

/* A file descriptor watched for the program around the fetcher (its
   input).  Unref'd unless held, so that by default it never keeps ev_run
   going on its own. */
struct sl_loop_reader {
  ev_io io;
  struct sl_loop *loop;
  void (*cb)(int fd, void *ud);
  void *ud;
  bool held;
};

struct sl_loop {
  struct ev_loop *ev;
  CURLM *multi;
  ev_timer timer;   /* curl's single timeout */
  ev_timer alarm;   /* the fetcher's timer heap, when there is no alarm_fd */
  ev_io alarm_io;   /* ... or its timerfd (see the top) */
  int alarm_fd;     /* -1: none */
  int64_t alarm_at; /* what alarm_fd is armed for; -1: nothing */
  ev_check check;   /* runs the tick hook */
  ev_idle idle;     /* keeps poll from blocking while a tick is due */
  bool tick_due;
  bool held;                      /* sl_loop_hold: the loop is kept alive */
  unsigned depth;                 /* > 0 inside one of our watcher callbacks */
  struct sockw *live, *live_tail; /* made for a socket: started or not */
  struct sockw *spare, *spare_tail; /* stopped, for reuse */
  struct sockw **byfd;              /* live watchers by fd */
  size_t nbyfd;
  bool removing;           /* inside sl_loop_remove */
  struct sockw *let_go[4]; /* ... the sockets curl let go of meanwhile */
  unsigned nlet_go;
  CURL **later; /* sl_loop_remove_later's handles, not yet removed */
  size_t nlater, later_cap;
  struct sl_loop_hooks hooks;
  void *ud;
};

/* Whether easy waits in sl_loop_remove_later's list. */
static bool let_go(const struct sl_loop *l, const CURL *easy)
{
  for(size_t i = 0; i < l->nlater; i++)
    if(l->later[i] == easy)
      return true;
  return false;
}

/* Every finished transfer to the done hook, but one whose owner let go of
   it (a done hook may cancel transfers whose results wait here too): the
   removal, due anyway, drops its result. */
static void drain(struct sl_loop *l)
{
  CURLMsg *m;
  int left;

  while((m = curl_multi_info_read(l->multi, &left))) {
    CURL *easy;
    CURLcode rc;
    if(m->msg != CURLMSG_DONE || let_go(l, m->easy_handle))
      continue;
    easy = m->easy_handle;
    rc = m->data.result;
    curl_multi_remove_handle(l->multi, easy);
    l->hooks.done(l->ud, easy, rc);
  }
}

static void on_timer(struct ev_loop *evl, ev_timer *w, int revents)
{
  struct sl_loop *l = w->data;
  int still;
  (void)revents;
  sl_weak_timer_fired(evl);
  l->depth++;
  sl_loop_flush(l);
  curl_multi_socket_action(l->multi, CURL_SOCKET_TIMEOUT, 0, &still);
  drain(l);
  l->depth--;
}

static void sockw_release(struct sl_loop *l, struct sockw *s);

static void on_io(struct ev_loop *evl, ev_io *w, int revents)
{
  struct sockw *s = (struct sockw *)w;
  struct sl_loop *l = s->loop;
  int action = ((revents & EV_READ) ? CURL_CSELECT_IN : 0) |
               ((revents & EV_WRITE) ? CURL_CSELECT_OUT : 0);
  int still, fd = w->fd;
  (void)evl;
  if(l->nlater) {
    l->depth++;
    sl_loop_flush(l); /* may close this very socket */
    l->depth--;
    if((size_t)fd >= l->nbyfd || l->byfd[fd] != s)
      return;
  }
  if(s->parked) {
    /* an idle connection in curl's cache: the server closed it, most
       likely; curl finds out when it next looks, so stop watching (the
       watcher stays filed under its fd until curl closes it) */
    sl_weak_io_stop(l->ev, &s->io);
    s->parked = false;
    return;
  }
  l->depth++;
  curl_multi_socket_action(l->multi, fd, action, &still);
  drain(l);
  l->depth--;
}

/* CURLMOPT_TIMERFUNCTION: only (re)arms the ev_timer. */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
  struct sl_loop *l = userp;
  (void)multi;
  sl_weak_timer_stop(l->ev, &l->timer);
  if(timeout_ms >= 0) {
    ev_timer_set(&l->timer, (double)timeout_ms / 1000.0, 0.);
    sl_weak_timer_start(l->ev, &l->timer);
  }
  return 0;
}

/* Its fd is closed (or about to be): stops s and puts it on the free
   list. */
static void sockw_release(struct sl_loop *l, struct sockw *s)
{
  if(s->owner)
    l->hooks.conn(l->ud, s->owner, -1);
  s->owner = NULL;
  sl_weak_io_stop(l->ev, &s->io);
  SL_LIST_REMOVE(l->live, l->live_tail, s, prev, next);
  l->byfd[s->io.fd] = NULL;
  SL_LIST_PREPEND(l->spare, l->spare_tail, s, prev, next);
}

/* A new watcher for fd, which has none, filed under it but not started;
   NULL when out of memory. */
static struct sockw *sockw_new(struct sl_loop *l, curl_socket_t fd)
{
  struct sockw *s;
  size_t had = l->nbyfd;
  if((size_t)fd >= l->nbyfd) {
    if(sl_array_reserve(l->byfd, l->nbyfd, (size_t)fd + 1, 64))
      return NULL;
    memset(l->byfd + had, 0, (l->nbyfd - had) * sizeof(*l->byfd));
  }
  s = l->spare;
  if(s)
    SL_LIST_REMOVE(l->spare, l->spare_tail, s, prev, next);
  else if(!(s = malloc(sizeof(*s))))
    return NULL;
  s->loop = l;
  s->parked = false;
  s->owner = NULL;
  SL_LIST_PREPEND(l->live, l->live_tail, s, prev, next);
  l->byfd[fd] = s;
  ev_io_init(&s->io, on_io, fd, 0); /* a fresh fd for libev */
  return s;
}

/* CURLMOPT_SOCKETFUNCTION: keeps one ev_io per socket in step with what
   curl wants, touching libev only when the mask changes (a parked
   watcher taken up again with the same mask costs nothing). */
static int socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
                     void *socketp)
{
  struct sl_loop *l = userp;
  struct sockw *s = socketp;
  int events;
  (void)easy;

  /* curl may hand back the pointer of a socket that was closed while its
     transfer was out of the multi handle (curl_multi_remove_handle of a
     running transfer: Curl_multi_closed does nothing then), for a new
     socket with the same number: only the watcher filed under fd is
     this socket's */
  if(s && ((size_t)fd >= l->nbyfd || l->byfd[fd] != s))
    s = NULL;
  if(what == CURL_POLL_REMOVE) {
    if(s && l->removing && l->nlet_go < 4)
      l->let_go[l->nlet_go++] = s;
    if(s && ev_is_active(&s->io))
      s->parked = true;
    return 0;
  }
  events = ((what & CURL_POLL_IN) ? EV_READ : 0) |
           ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
  if(!s && (size_t)fd < l->nbyfd && (s = l->byfd[fd]))
    curl_multi_assign(l->multi, fd, s);
  if(s)
    s->parked = false;
  if(!s) {
    /* a socket open_cb did not make (none should be) */
    if(!(s = sockw_new(l, fd)))
      return -1; /* curl gives up the whole multi handle */
    curl_multi_assign(l->multi, fd, s);
  }
  if(!ev_is_active(&s->io) || s->io.events != events)
    sl_weak_io_set(l->ev, &s->io, fd, events);
  return 0;
}

/* CURLOPT_CLOSESOCKETFUNCTION: the fd's watcher goes before the fd. */
static int close_cb(void *userp, curl_socket_t fd)
{
  struct sl_loop *l = userp;
  if((size_t)fd < l->nbyfd && l->byfd[fd])
    sockw_release(l, l->byfd[fd]);
  return close(fd);
}

/* CURLOPT_OPENSOCKETFUNCTION: opens the socket as curl would and makes
   its watcher (out of memory, this transfer fails to connect), keeping
   the errno of a failure for the handle.  A watcher still filed under the
   new fd's number belongs to a socket closed behind close_cb's back (none
   should be): it goes, so the new socket gets a registration of its
   own. */
static curl_socket_t open_cb(void *userp, curlsocktype purpose,
                             struct curl_sockaddr *a)
{
  struct sl_loop_easy *le = userp;
  struct sl_loop *l = le->loop;
  struct sockw *s;
  curl_socket_t fd;
  (void)purpose;
  fd = socket(a->family, a->socktype, a->protocol);
  le->socket_errno = fd == CURL_SOCKET_BAD ? errno : 0;
  if(fd == CURL_SOCKET_BAD)
    return fd;
  if((size_t)fd < l->nbyfd && l->byfd[fd])
    sockw_release(l, l->byfd[fd]);
  if(!(s = sockw_new(l, fd))) {
    close(fd);
    le->socket_errno = ENOMEM;
    return CURL_SOCKET_BAD;
  }
  if((s->owner = le->owner))
    l->hooks.conn(l->ud, s->owner, 1);
  return fd;
}

static void on_alarm(struct ev_loop *evl, ev_timer *w, int revents)
{
  struct sl_loop *l = w->data;
  (void)revents;
  sl_weak_timer_fired(evl);
  l->depth++;
  l->hooks.alarm(l->ud);
  l->depth--;
}

/* The timerfd went off. */
static void on_alarm_fd(struct ev_loop *evl, ev_io *w, int revents)
{
  struct sl_loop *l = w->data;
  uint64_t expired;
  (void)evl;
  (void)revents;
  if(read(l->alarm_fd, &expired, sizeof(expired)) < 0 && errno == EAGAIN)
    return; /* not yet: it was armed anew since epoll saw it */
  l->alarm_at = -1;
  l->depth++;
  l->hooks.alarm(l->ud);
  l->depth--;
}

/* The timerfd and its watcher; without one, the ev_timer does. */
static void alarm_init(struct sl_loop *l)
{
  ev_timer_init(&l->alarm, on_alarm, 0., 0.);
  l->alarm.data = l;
  l->alarm_at = -1;
  l->alarm_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if(l->alarm_fd < 0)
    return;
  ev_io_init(&l->alarm_io, on_alarm_fd, l->alarm_fd, EV_READ);
  l->alarm_io.data = l;
  ev_set_priority(&l->alarm_io, EV_MAXPRI);
  sl_weak_io_start(l->ev, &l->alarm_io);
}

static void alarm_free(struct sl_loop *l)
{
  sl_weak_timer_stop(l->ev, &l->alarm);
  if(l->alarm_fd < 0)
    return;
  sl_weak_io_stop(l->ev, &l->alarm_io);
  close(l->alarm_fd);
  l->alarm_fd = -1;
}

static void on_signal(struct ev_loop *evl, ev_signal *w, int revents)
{
  struct sigw *s = (struct sigw *)w;
  struct sl_loop *l = s->loop; /* the callback may stop and free s */
  (void)evl;
  (void)revents;
  l->depth++;
  s->cb(w->signum, s->ud);
  l->depth--;
}

static void on_check(struct ev_loop *evl, ev_check *w, int revents)
{
  struct sl_loop *l = w->data;
  (void)revents;
  if(!l->tick_due && !l->nlater)
    return;
  ev_idle_stop(evl, &l->idle);
  l->depth++;
  if(l->tick_due) {
    l->tick_due = false;
    l->hooks.tick(l->ud);
  }
  sl_loop_flush(l); /* what this iteration's callbacks cancelled */
  l->depth--;
}

static void on_idle(struct ev_loop *evl, ev_idle *w, int revents)
{
  /* Nothing: an active idle watcher only makes poll return at once, and
     the check watcher does the work. */
  (void)evl;
  (void)w;
  (void)revents;
}

struct sl_loop *sl_loop_new(struct ev_loop *evl,
                            const struct sl_loop_hooks *hooks, void *ud)
{
  struct sl_loop *l = calloc(1, sizeof(*l));
  if(!l)
    goto fail;
  l->ev = evl ? evl : EV_DEFAULT;
  if(!l->ev)
    goto fail;
  l->hooks = *hooks;
  l->ud = ud;
  l->multi = curl_multi_init();
  if(!l->multi)
    goto fail;
  curl_multi_setopt(l->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
  curl_multi_setopt(l->multi, CURLMOPT_SOCKETDATA, l);
  curl_multi_setopt(l->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
  curl_multi_setopt(l->multi, CURLMOPT_TIMERDATA, l);

  ev_timer_init(&l->timer, on_timer, 0., 0.);
  l->timer.data = l;
  alarm_init(l);
  ev_idle_init(&l->idle, on_idle);
  l->idle.data = l;
  ev_check_init(&l->check, on_check);
  l->check.data = l;
  ev_check_start(l->ev, &l->check);
  ev_unref(l->ev); /* the check watcher alone must not keep ev_run going */
  return l;
fail:
  free(l);
  return NULL;
}

void sl_loop_free(struct sl_loop *l)
{
  struct sockw *s;
  if(!l)
    return;
  sl_loop_flush(l);
  free(l->later);
  /* Closing cached connections calls socket_cb with CURL_POLL_REMOVE. */
  curl_multi_cleanup(l->multi);
  while(l->live)
    sockw_release(l, l->live);
  while((s = l->spare)) {
    SL_LIST_REMOVE(l->spare, l->spare_tail, s, prev, next);
    free(s);
  }
  free(l->byfd);
  for(int i = 1; i < NSIG; i++)
    sl_loop_signal_stop(l, i);
  sl_weak_timer_stop(l->ev, &l->timer);
  alarm_free(l);
  ev_idle_stop(l->ev, &l->idle);
  sl_loop_hold(l, false);
  ev_ref(l->ev);
  ev_check_stop(l->ev, &l->check);
  free(l);
}

struct ev_loop *sl_loop_ev(const struct sl_loop *l)
{
  return l->ev;
}

int64_t sl_loop_now(struct sl_loop *l)
{
  if(!l->depth)
    ev_now_update(l->ev);
  return sl_ns_from_sec(ev_now(l->ev));
}

void sl_loop_prepare(struct sl_loop *l, CURL *easy, struct sl_loop_easy *le)
{
  le->loop = l;
  le->socket_errno = 0;
  le->owner = NULL;
  /* every connection must close through close_cb (see the top) */
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, open_cb);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, le);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, close_cb);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, l);
}

int sl_loop_add(struct sl_loop *l, CURL *easy)
{
  sl_loop_flush(l); /* a cancelled transfer's socket closes first */
  return (int)curl_multi_add_handle(l->multi, easy);
}

void sl_loop_remove(struct sl_loop *l, CURL *easy)
{
  l->removing = true;
  l->nlet_go = 0;
  curl_multi_remove_handle(l->multi, easy);
  l->removing = false;
  /* closed behind close_cb's back (see the top): no fd any more */
  for(unsigned i = 0; i < l->nlet_go; i++) {
    struct sockw *s = l->let_go[i];
    int fd = s->io.fd;
    if((size_t)fd < l->nbyfd && l->byfd[fd] == s && fcntl(fd, F_GETFD) == -1 &&
       errno == EBADF)
      sockw_release(l, s);
  }
}

void sl_loop_remove_later(struct sl_loop *l, CURL *easy)
{
  if(!l->depth ||
     sl_array_reserve(l->later, l->later_cap, l->nlater + 1, 16)) {
    /* outside the loop's callbacks (or out of memory): at once */
    sl_loop_remove(l, easy);
    l->hooks.removed(l->ud, easy);
    return;
  }
  l->later[l->nlater++] = easy;
  ev_idle_start(l->ev, &l->idle); /* the check phase comes without a wait */
}

void sl_loop_flush(struct sl_loop *l)
{
  /* the hook never adds a handle, so the list cannot grow meanwhile */
  for(size_t i = 0; i < l->nlater; i++) {
    sl_loop_remove(l, l->later[i]);
    l->hooks.removed(l->ud, l->later[i]);
  }
  l->nlater = 0;
}

void sl_loop_wake(struct sl_loop *l)
{
  if(l->tick_due)
    return;
  l->tick_due = true;
  ev_idle_start(l->ev, &l->idle);
}

void sl_loop_run_once(struct sl_loop *l)
{
  ev_run(l->ev, EVRUN_ONCE);
}

/* Arming the timerfd is a system call, so the alarm only ever moves
   earlier: one wanted later than it is armed (a deadline that went, the
   next one further off) waits for the armed one, which goes off early,
   into a pass that has nothing due and sets it again. */
static void alarm_fd_set(struct sl_loop *l, int64_t at)
{
  struct itimerspec its = {{0, 0}, {0, 0}};
  int64_t in;
  if(at < 0 || (l->alarm_at >= 0 && at >= l->alarm_at))
    return;
  in = at - sl_ns_from_sec(ev_time());
  if(in < 1)
    in = 1; /* 0 would disarm it */
  its.it_value.tv_sec = (time_t)(in / SL_NS_PER_SEC);
  its.it_value.tv_nsec = (long)(in % SL_NS_PER_SEC);
  if(timerfd_settime(l->alarm_fd, 0, &its, NULL) == 0)
    l->alarm_at = at;
}

void sl_loop_set_alarm(struct sl_loop *l, int64_t at)
{
  double in;
  if(l->alarm_fd >= 0) {
    alarm_fd_set(l, at);
    return;
  }
  sl_weak_timer_stop(l->ev, &l->alarm);
  if(at < 0)
    return;
  in = sl_ns_to_sec(at - sl_ns_from_sec(ev_now(l->ev)));
  ev_timer_set(&l->alarm, in > 0 ? in : 0., 0.);
  sl_weak_timer_start(l->ev, &l->alarm);
}

int64_t sl_loop_alarm_slack(const struct sl_loop *l)
{
  return l->alarm_fd >= 0 ? 20 * SL_NS_PER_US : 500 * SL_NS_PER_US;
}

void sl_loop_hold(struct sl_loop *l, bool hold)
{
  if(hold == l->held)
    return;
  l->held = hold;
  if(hold)
    ev_ref(l->ev); /* the check watcher, unref'd at start, now counts */
  else
    ev_unref(l->ev);
}

int sl_loop_signal_start(struct sl_loop *l, int signum,
                         void (*cb)(int signum, void *ud), void *ud)
{
  struct sigw *s;
  if(signum <= 0 || signum >= NSIG) {
    errno = EINVAL;
    return -1;
  }
  s = sig_owner[signum];
  if(s && s->loop != l) {
    errno = EBUSY;
    return -1;
  }
  if(!s) {
    s = calloc(1, sizeof(*s));
    if(!s) {
      errno = ENOMEM;
      return -1;
    }
    s->loop = l;
    ev_signal_init(&s->sig, on_signal, signum);
    ev_signal_start(l->ev, &s->sig);
    ev_unref(l->ev);
    sig_owner[signum] = s;
  }
  s->cb = cb;
  s->ud = ud;
  return 0;
}

void sl_loop_signal_stop(struct sl_loop *l, int signum)
{
  struct sigw *s;
  if(signum <= 0 || signum >= NSIG)
    return;
  s = sig_owner[signum];
  if(!s || s->loop != l)
    return;
  ev_ref(l->ev);
  ev_signal_stop(l->ev, &s->sig);
  sig_owner[signum] = NULL;
  free(s);
}

static void on_reader(struct ev_loop *evl, ev_io *w, int revents)
{
  struct sl_loop_reader *r = (struct sl_loop_reader *)w;
  struct sl_loop *l = r->loop; /* the callback may free r */
  (void)evl;
  (void)revents;
  l->depth++;
  r->cb(w->fd, r->ud);
  l->depth--;
}

struct sl_loop_reader *sl_loop_reader_new(struct sl_loop *l, int fd,
                                          void (*cb)(int fd, void *ud),
                                          void *ud)
{
  struct sl_loop_reader *r = calloc(1, sizeof(*r));
  if(!r)
    return NULL;
  r->loop = l;
  r->cb = cb;
  r->ud = ud;
  ev_io_init(&r->io, on_reader, fd, EV_READ);
  sl_weak_io_start(l->ev, &r->io);
  return r;
}

void sl_loop_reader_set(struct sl_loop_reader *r, void (*cb)(int fd, void *ud),
                        void *ud)
{
  r->cb = cb;
  r->ud = ud;
}

void sl_loop_reader_hold(struct sl_loop_reader *r, bool hold)
{
  if(r->held == hold)
    return;
  r->held = hold;
  if(hold)
    ev_ref(r->loop->ev);
  else
    ev_unref(r->loop->ev);
}

void sl_loop_reader_free(struct sl_loop_reader *r)
{
  if(!r)
    return;
  sl_loop_reader_hold(r, false);
  sl_weak_io_stop(r->loop->ev, &r->io);
  free(r);
}

unsigned sl_loop_depth(const struct sl_loop *l)
{
  return l->depth;
}

void sl_loop_set_max_connects(struct sl_loop *l, long n)
{
  curl_multi_setopt(l->multi, CURLMOPT_MAXCONNECTS, n);
}
