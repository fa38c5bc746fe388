/*
 * deadlines.c - two measurements of the combinators, rerunnable: how
 * late a request's deadline fires (median and worst over 100 hanging
 * requests with distinct deadlines), and how long cancelling 1000 in-flight
 * transfers takes, called from the caller's code and from a callback on
 * the loop (the loop of sl_task_cancel calls, until sluice closed the
 * sockets, and until the fixture server reports no request in flight).
 * Beside the cancel, its floor: 1000 plain close() of connected sockets
 * with a request in flight each, no libcurl, no sluice (the kernel's
 * share of a cancel, which no change in sluice can take away).
 *
 * usage: deadlines SLUICE_FIXTURE [rounds]
 */
#include <arpa/inet.h>
#include <ev.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "sluice.h"
#include "support/fixture_proc.h"

struct probe {
  double deadline; /* ev_time() at which the task should fail */
  double late_ms;
  int timeouts;
};

static void on_done(sl_task *t, void *ud)
{
  struct probe *p = ud;
  const struct sl_error *e;
  p->late_ms = (ev_time() - p->deadline) * 1000.0;
  if(sl_task_error(t, &e) == SL_OK && e && e->kind == SL_ERR_TIMEOUT)
    p->timeouts = 1;
  sl_task_free(t);
}

static int cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int timeout_lateness(const struct fixture *fx)
{
  enum { N = 100 };
  struct probe p[N];
  double late[N];
  struct sl_options o = {0};
  sl_ctx *ctx;
  int i, ok = 0;
  o.max_concurrency = N;
  ctx = sl_ctx_new(&o);
  for(i = 0; i < N; i++) {
    struct sl_request r = {0};
    sl_task *t;
    r.url = fixture_url(fx, "/hang");
    r.timeout_ms = 100 + 7 * i; /* distinct deadlines, 100..793 ms */
    p[i].deadline = ev_time() + (double)r.timeout_ms / 1000.0;
    p[i].timeouts = 0;
    t = sl_fetch(ctx, &r);
    sl_task_on_done(t, on_done, &p[i]);
  }
  sl_run(ctx);
  for(i = 0; i < N; i++) {
    late[i] = p[i].late_ms;
    ok += p[i].timeouts;
  }
  qsort(late, N, sizeof(late[0]), cmp);
  printf("timeout lateness over %d /hang requests: median %.2f ms, "
         "p90 %.2f ms, worst %.2f ms, earliest %.2f ms (%d/%d timeout)\n",
         N, late[N / 2], late[N * 9 / 10], late[N - 1], late[0], ok, N);
  sl_ctx_free(ctx);
  return ok == N ? 0 : 1;
}

/* CPU time (user + system) of this process so far, in seconds: on a
   shared machine the steadier measure of the cancel loop. */
static double cpu_now(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* The cancel loop of cancel_many, timed; from a callback on the loop or
   not. */
struct cancels {
  sl_task **t;
  int n;
  double t0, t1, c0, c1;
  bool ran;
};

static void cancel_all(void *ud)
{
  struct cancels *k = ud;
  k->c0 = cpu_now();
  k->t0 = ev_time();
  for(int i = 0; i < k->n; i++)
    sl_task_cancel(k->t[i], "bench");
  k->t1 = ev_time();
  k->c1 = cpu_now();
  k->ran = true;
}

/* Runs ctx's loop until the fixture holds n requests of host: 0, or -1
   when they never all arrive. */
static int reach(sl_ctx *ctx, const struct fixture *fx, const char *host,
                 long n)
{
  struct fixture_counters c = {0};
  for(int tries = 0; tries < 2000 && c.in_flight < n; tries++) {
    ev_run(sl_ctx_loop(ctx), EVRUN_NOWAIT);
    if(tries % 20 == 19)
      fixture_stats(fx, host, &c);
  }
  if(c.in_flight == n)
    return 0;
  fprintf(stderr, "only %ld of %ld requests reached the fixture\n",
          c.in_flight, n);
  return -1;
}

/* N transfers in flight at the fixture; from_callback: cancelled inside
   a callback on the loop (a group's siblings), where the closes follow
   the callback; else from the caller's code, where they are inside each
   sl_task_cancel. */
static int cancel_many(const struct fixture *fx, bool from_callback)
{
  enum { N = 1000 };
  struct fixture_counters c = {0};
  struct sl_options o = {0};
  sl_task **t = calloc(N, sizeof(*t));
  struct cancels k = {t, N, 0, 0, 0, 0, false};
  char host[64];
  double t2, t3;
  sl_ctx *ctx;
  int i;
  o.max_concurrency = N;
  o.quiet = true;
  ctx = sl_ctx_new(&o);
  snprintf(host, sizeof(host), "127.0.0.1:%d", fx->port);
  fixture_reset(fx);
  for(i = 0; i < N; i++) {
    struct sl_request r = {0};
    r.url = fixture_url(fx, "/hang");
    t[i] = sl_fetch(ctx, &r);
  }
  if(reach(ctx, fx, host, N))
    return 1;
  if(from_callback) {
    sl_call_later(ctx, 0, cancel_all, &k);
    while(!k.ran)
      ev_run(sl_ctx_loop(ctx), EVRUN_ONCE);
  } else
    cancel_all(&k);
  t2 = ev_time(); /* the iteration that cancelled is over */
  while(fixture_stats(fx, host, &c) == 0 && c.in_flight > 0)
    usleep(1000);
  t3 = ev_time();
  printf("cancel %d in-flight transfers %s: %.2f ms for the cancel calls "
         "(%.1f us each, %.2f ms CPU); sockets closed %.2f ms after the "
         "first cancel; fixture saw every socket closed after %.1f ms\n",
         N, from_callback ? "from a callback" : "from outside the loop",
         (k.t1 - k.t0) * 1000, (k.t1 - k.t0) * 1e6 / N, (k.c1 - k.c0) * 1000,
         (t2 - k.t0) * 1000, (t3 - k.t0) * 1000);
  for(i = 0; i < N; i++)
    sl_task_free(t[i]);
  free(t);
  sl_ctx_free(ctx);
  return 0;
}

/* One blocking connection to the fixture with a GET /hang sent: -1 on
   failure. */
static int hang_socket(const struct fixture *fx)
{
  struct sockaddr_in a = {0};
  char req[128];
  int fd = socket(AF_INET, SOCK_STREAM, 0), n;
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)fx->port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  n = snprintf(req, sizeof(req), "GET /hang HTTP/1.1\r\nHost: %s\r\n\r\n",
               fx->host);
  if(fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
     write(fd, req, (size_t)n) != n) {
    if(fd >= 0)
      close(fd);
    return -1;
  }
  return fd;
}

/* The floor of cancel_many: the same 1000 requests in flight, each on a
   socket of its own, closed by a plain close() loop. */
static int close_floor(const struct fixture *fx)
{
  enum { N = 1000 };
  struct fixture_counters c = {0};
  int fd[N], i, tries;
  double t0, t1, c0, c1;
  fixture_reset(fx);
  for(i = 0; i < N; i++)
    if((fd[i] = hang_socket(fx)) < 0) {
      fprintf(stderr, "close floor: socket %d failed\n", i);
      while(i-- > 0)
        close(fd[i]);
      return 1;
    }
  for(tries = 0; tries < 2000 && c.in_flight < N; tries++)
    if(fixture_stats(fx, fx->host, &c) || c.in_flight < N)
      usleep(1000);
  c0 = cpu_now();
  t0 = ev_time();
  for(i = 0; i < N; i++)
    close(fd[i]);
  t1 = ev_time();
  c1 = cpu_now();
  printf("floor: close() of %d connections with a request in flight: "
         "%.2f ms (%.2f ms CPU)\n",
         N, (t1 - t0) * 1000, (c1 - c0) * 1000);
  while(fixture_stats(fx, fx->host, &c) == 0 && c.in_flight > 0)
    usleep(1000);
  return 0;
}

int main(int argc, char **argv)
{
  struct fixture fx;
  struct rlimit rl;
  int rounds = argc > 2 ? atoi(argv[2]) : 3, rc = 0, i;
  if(argc < 2) {
    fprintf(stderr, "usage: %s SLUICE_FIXTURE [rounds]\n", argv[0]);
    return 2;
  }
  if(getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if(fixture_start(&fx, argv[1], 300)) {
    fprintf(stderr, "cannot start %s\n", argv[1]);
    return 1;
  }
  for(i = 0; i < rounds; i++) {
    rc |= timeout_lateness(&fx);
    rc |= cancel_many(&fx, false);
    rc |= cancel_many(&fx, true);
    rc |= close_floor(&fx);
  }
  fixture_stop(&fx);
  return rc;
}
