/*
 * dns.c - c-ares driven by libev.  See dns.h.
 *
 * c-ares tells which sockets it wants watched through the socket-state
 * callback; we keep one ev_io each, and after every call into c-ares the
 * single timer is set to ares_timeout(), so retransmissions and timeouts
 * happen on the loop with no thread and no polling.  The watchers are
 * weak (weak.h): a lookup whose waiters went away (cancelled) runs on to
 * its answer without keeping a caller's loop alive; a task waiting on a
 * name is live, and that holds the loop.
 */
#include "loop/dns.h"
#include "loop/loop.h"
#include "loop/weak.h"

#include "base/list.h"

#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dnsw {
  ev_io io;
  struct sl_dns *dns;
  struct dnsw *prev, *next;
};

struct sl_dns {
  struct ev_loop *ev;
  ares_channel channel;
  ev_timer timer;
  struct dnsw *watchers, *watchers_tail;
  double limit;  /* seconds a lookup may take in all */
  unsigned live; /* lookups not yet answered (abandoned ones aside) */
};

/* A lookup.  At its limit it is answered with a timeout and abandoned
   (cb NULL): c-ares's query goes on until its own tries end (or until
   no lookup is left that is not abandoned: then they are cancelled, so
   that they do not keep the caller's loop alive), and its answer only
   frees this. */
struct query {
  struct sl_dns *dns;
  sl_dns_cb cb;
  void *ud;
  ev_timer limit;
};

static void rearm(struct sl_dns *d)
{
  struct timeval tv, *tp;
  sl_weak_timer_stop(d->ev, &d->timer);
  tp = ares_timeout(d->channel, NULL, &tv);
  if(!tp)
    return;
  ev_timer_set(&d->timer, (double)tp->tv_sec + (double)tp->tv_usec / 1e6, 0.);
  sl_weak_timer_start(d->ev, &d->timer);
}

static void on_timer(struct ev_loop *evl, ev_timer *w, int revents)
{
  struct sl_dns *d = w->data;
  (void)revents;
  sl_weak_timer_fired(evl);
  ares_process_fd(d->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  rearm(d);
}

static void on_io(struct ev_loop *evl, ev_io *w, int revents)
{
  struct dnsw *s = (struct dnsw *)w;
  struct sl_dns *d = s->dns;
  (void)evl;
  ares_process_fd(d->channel, (revents & EV_READ) ? w->fd : ARES_SOCKET_BAD,
                  (revents & EV_WRITE) ? w->fd : ARES_SOCKET_BAD);
  rearm(d);
}

/* ARES_OPT_SOCK_STATE_CB: keep an ev_io per socket in step. */
static void sock_state(void *data, ares_socket_t fd, int readable,
                       int writable)
{
  struct sl_dns *d = data;
  struct dnsw *s;
  int events = (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);

  for(s = d->watchers; s; s = s->next)
    if(s->io.fd == fd)
      break;
  if(!events) {
    if(s) {
      sl_weak_io_stop(d->ev, &s->io);
      SL_LIST_REMOVE(d->watchers, d->watchers_tail, s, prev, next);
      free(s);
    }
    return;
  }
  if(!s) {
    s = calloc(1, sizeof(*s));
    if(!s)
      return; /* the query times out instead */
    s->dns = d;
    SL_LIST_APPEND(d->watchers, d->watchers_tail, s, prev, next);
    ev_io_init(&s->io, on_io, fd, events);
    sl_weak_io_start(d->ev, &s->io);
  } else if(s->io.events != events)
    sl_weak_io_set(d->ev, &s->io, fd, events);
}

struct sl_dns *sl_dns_new(struct sl_loop *l, const struct sl_dns_config *c)
{
  static const struct sl_dns_config defaults;
  struct ares_options o;
  struct sl_dns *d;
  int rc;

  if(!c)
    c = &defaults;
  if(ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
    errno = EIO;
    return NULL;
  }
  d = calloc(1, sizeof(*d));
  if(!d) {
    ares_library_cleanup();
    errno = ENOMEM;
    return NULL;
  }
  d->ev = sl_loop_ev(l);
  memset(&o, 0, sizeof(o));
  o.sock_state_cb = sock_state;
  o.sock_state_cb_data = d;
  /* c-ares doubles the wait at each round of tries: with one server, 2
     tries take t + 2t.  So each try gets a third of the limit, and the
     limit itself is kept by a timer per lookup (with more servers,
     c-ares alone would take longer). */
  d->limit =
      (double)(c->timeout_ms > 0 ? c->timeout_ms : SL_DNS_LIMIT_MS) / 1000.0;
  o.tries = c->tries > 0 ? c->tries : 2;
  o.timeout = (int)(d->limit * 1000.0 / ((1 << o.tries) - 1));
  if(o.timeout < 1)
    o.timeout = 1;
  o.lookups = (char *)"fb"; /* /etc/hosts first, then DNS */
  rc = ares_init_options(&d->channel, &o,
                         ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS |
                             ARES_OPT_TRIES | ARES_OPT_LOOKUPS);
  if(rc != ARES_SUCCESS) {
    free(d);
    ares_library_cleanup();
    errno = rc == ARES_ENOMEM ? ENOMEM : EIO;
    return NULL;
  }
  if(c->servers &&
     ares_set_servers_ports_csv(d->channel, c->servers) != ARES_SUCCESS) {
    ares_destroy(d->channel);
    free(d);
    ares_library_cleanup();
    errno = EINVAL;
    return NULL;
  }
  ev_timer_init(&d->timer, on_timer, 0., 0.);
  d->timer.data = d;
  return d;
}

void sl_dns_free(struct sl_dns *d)
{
  if(!d)
    return;
  ares_destroy(d->channel); /* answers what is pending, closes sockets */
  while(d->watchers) {
    struct dnsw *s = d->watchers;
    SL_LIST_REMOVE(d->watchers, d->watchers_tail, s, prev, next);
    sl_weak_io_stop(d->ev, &s->io);
    free(s);
  }
  sl_weak_timer_stop(d->ev, &d->timer);
  free(d);
  ares_library_cleanup();
}

static enum sl_dns_status status_of(int rc, const char **msg)
{
  switch(rc) {
    case ARES_SUCCESS:
      *msg = "ok";
      return SL_DNS_OK;
    case ARES_ENOTFOUND:
    case ARES_ENONAME:
      *msg = "no such name (NXDOMAIN)";
      return SL_DNS_NXDOMAIN;
    case ARES_ENODATA:
      *msg = "the name has no address records";
      return SL_DNS_NODATA;
    case ARES_ESERVFAIL:
      *msg = "server failure (SERVFAIL)";
      return SL_DNS_SERVFAIL;
    case ARES_EREFUSED:
      *msg = "the server refused the query";
      return SL_DNS_SERVFAIL;
    case ARES_ETIMEOUT:
      *msg = "timeout: no answer from the DNS server";
      return SL_DNS_TIMEOUT;
    case ARES_ECONNREFUSED:
      /* c-ares 1.18 also ends a query this way when every server
         answered SERVFAIL: the two cannot be told apart */
      *msg = "server failure (SERVFAIL, or no DNS server reachable)";
      return SL_DNS_SERVFAIL;
    case ARES_EDESTRUCTION:
    case ARES_ECANCELLED:
      *msg = "lookup cancelled";
      return SL_DNS_ERROR;
    case ARES_ENOMEM:
      *msg = "out of memory";
      return SL_DNS_ERROR;
    case ARES_EBADNAME:
      *msg = "not a valid host name";
      return SL_DNS_BADNAME;
    default:
      *msg = ares_strerror(rc);
      return SL_DNS_ERROR;
  }
}

static void on_answer(void *arg, int rc, int timeouts,
                      struct ares_addrinfo *res)
{
  struct query *q = arg;
  struct sl_dns_answer a;
  struct ares_addrinfo_node *n;
  char buf[2048];
  size_t len = 0;
  (void)timeouts;

  memset(&a, 0, sizeof(a));
  a.status = status_of(rc, &a.message);
  a.ttl = -1;
  buf[0] = '\0';
  for(n = res ? res->nodes : NULL; n && a.status == SL_DNS_OK;
      n = n->ai_next) {
    char ip[INET6_ADDRSTRLEN];
    const void *src;
    int w;
    if(n->ai_family == AF_INET)
      src = &((struct sockaddr_in *)(void *)n->ai_addr)->sin_addr;
    else if(n->ai_family == AF_INET6)
      src = &((struct sockaddr_in6 *)(void *)n->ai_addr)->sin6_addr;
    else
      continue;
    if(!inet_ntop(n->ai_family, src, ip, sizeof(ip)))
      continue;
    w = snprintf(buf + len, sizeof(buf) - len,
                 n->ai_family == AF_INET6 ? "%s[%s]" : "%s%s", len ? "," : "",
                 ip);
    if(w < 0 || (size_t)w >= sizeof(buf) - len)
      break; /* enough addresses */
    len += (size_t)w;
    a.naddrs++;
    if(a.ttl < 0 || n->ai_ttl < a.ttl)
      a.ttl = n->ai_ttl;
  }
  if(a.status == SL_DNS_OK && !a.naddrs) {
    a.status = SL_DNS_NODATA;
    a.message = "the name has no address records";
  }
  if(a.ttl < 0)
    a.ttl = 0;
  a.addrs = buf;
  if(res)
    ares_freeaddrinfo(res);
  sl_weak_timer_stop(q->dns->ev, &q->limit);
  if(q->cb) { /* not abandoned at its limit */
    q->dns->live--;
    q->cb(q->ud, &a);
  }
  free(q);
}

/* A lookup reached its limit: answered now with a timeout. */
static void on_limit(struct ev_loop *evl, ev_timer *w, int revents)
{
  struct query *q = w->data;
  struct sl_dns *d = q->dns; /* q is freed by the cancel below */
  struct sl_dns_answer a = {SL_DNS_TIMEOUT, NULL, "", 0, 0};
  char msg[80];
  sl_dns_cb cb = q->cb;
  (void)revents;
  sl_weak_timer_fired(evl);
  snprintf(msg, sizeof(msg),
           "timeout: no answer from the DNS server in %.0f ms",
           d->limit * 1000.0);
  a.message = msg;
  q->cb = NULL;
  cb(q->ud, &a);
  if(!--d->live) { /* only abandoned lookups are left */
    ares_cancel(d->channel);
    rearm(d);
  }
}

void sl_dns_lookup(struct sl_dns *d, const char *name, sl_dns_cb cb, void *ud)
{
  struct ares_addrinfo_hints hints;
  struct query *q = malloc(sizeof(*q));
  if(!q) {
    struct sl_dns_answer a = {SL_DNS_ERROR, "out of memory", "", 0, 0};
    cb(ud, &a);
    return;
  }
  q->dns = d;
  q->cb = cb;
  q->ud = ud;
  ev_timer_init(&q->limit, on_limit, d->limit, 0.);
  q->limit.data = q;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = ARES_AI_NOSORT;
  /* q is freed inside when c-ares answers at once */
  sl_weak_timer_start(d->ev, &q->limit);
  d->live++;
  ares_getaddrinfo(d->channel, name, NULL, &hints, on_answer, q);
  rearm(d);
}
