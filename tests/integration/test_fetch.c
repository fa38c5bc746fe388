/*
 * test_fetch.c - the library against sluice-fixture: many URLs each
 * finish exactly once, the global cap as the server counts it, prompt
 * cancellation of hanging transfers (the server sees the sockets close),
 * timeouts, invalid URLs among good ones, responses, bodies, headers,
 * size limits, bytes so far of a running transfer, connection reuse, and
 * kept-alive connections between transfers (the caller's loop still
 * ends; a server closing one idle).
 *
 * argv[1] is the sluice-fixture binary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"
#include "support/harness.h"

static struct fixture fx; /* started by harness_setup */

/* ---- many URLs: one outcome each -------------------------------------- */

struct tally {
  int *calls;
  long *bytes;
  int done;
};

static void on_many(sl_task *t, void *ud)
{
  struct tally *ta = ud;
  long i = (long)(intptr_t)sl_task_userdata(t);
  const struct sl_response *r;
  ta->calls[i]++;
  if(sl_task_response(t, &r) == SL_OK && r->status == 200) {
    ta->bytes[i] = (long)r->bytes;
    ta->done++;
  }
  sl_task_free(t);
}

static void test_many_urls(void **state)
{
  enum { N = 3000 };
  struct tally ta = {0};
  sl_ctx *ctx = harness_ctx(32);
  long i;
  char path[64];
  (void)state;
  ta.calls = calloc(N, sizeof(int));
  ta.bytes = calloc(N, sizeof(long));
  for(i = 0; i < N; i++) {
    struct sl_request req;
    sl_task *t;
    snprintf(path, sizeof(path), "/bytes/%ld?i=%ld", i % 1500, i);
    req = harness_req(path, 0);
    req.userdata = (void *)(intptr_t)i;
    t = sl_fetch(ctx, &req);
    assert_non_null(t);
    assert_int_equal(sl_task_on_done(t, on_many, &ta), SL_OK);
  }
  assert_int_equal(sl_run(ctx), SL_OK);
  for(i = 0; i < N; i++) {
    assert_int_equal(ta.calls[i], 1);
    assert_int_equal(ta.bytes[i], i % 1500);
  }
  assert_int_equal(ta.done, N);
  free(ta.calls);
  free(ta.bytes);
  sl_ctx_free(ctx);
}

/* ---- the global cap, seen from the server ----------------------------- */

static void test_cap_from_server(void **state)
{
  struct fixture_counters c;
  sl_ctx *ctx = harness_ctx(8);
  int i;
  (void)state;
  assert_int_equal(fixture_reset(&fx), 0);
  for(i = 0; i < 200; i++)
    sl_task_on_done(harness_get(ctx, "/delay/30", 0), harness_free_task, NULL);
  sl_run(ctx);
  assert_int_equal(fixture_stats(&fx, fx.host, &c), 0);
  assert_int_equal(c.requests, 200);
  assert_int_equal(c.max_in_flight, 8); /* reached under load, never over */
  assert_int_equal(c.in_flight, 0);
  sl_ctx_free(ctx);
}

/* ---- cancellation of hanging transfers -------------------------------- */

static void test_cancel_hanging(void **state)
{
  enum { N = 200 };
  sl_ctx *ctx = harness_ctx(N);
  sl_task *t[N];
  struct sl_stats st;
  int i;
  double t0;
  (void)state;
  assert_int_equal(fixture_reset(&fx), 0);
  harness_hang(ctx, t, N); /* the server holds every request */
  sl_ctx_stats(ctx, &st);
  assert_int_equal(st.running, N);
  t0 = ev_time();
  for(i = 0; i < N; i++)
    assert_true(sl_task_cancel(t[i], "test over"));
  /* prompt: every transfer left curl inside sl_task_cancel */
  sl_ctx_stats(ctx, &st);
  assert_int_equal(st.running + st.pending, 0);
  assert_int_equal(st.cancelled, N);
  print_message("cancelled %d running transfers in %.2f ms\n", N,
                (ev_time() - t0) * 1000);
  /* the sockets are closed: the server's in-flight count drops to 0 */
  harness_assert_none_in_flight();
  for(i = 0; i < N; i++) {
    const struct sl_error *e;
    assert_int_equal(sl_task_error(t[i], &e), SL_OK);
    assert_int_equal(e->kind, SL_ERR_CANCELLED);
    assert_string_equal(e->message, "test over");
    sl_task_free(t[i]);
  }
  sl_ctx_free(ctx);
}

/* ---- timeouts --------------------------------------------------------- */

static void test_timeout_on_hang(void **state)
{
  struct sl_request req = {0};
  sl_ctx *ctx = harness_ctx(4);
  const struct sl_error *e;
  double t0 = ev_time(), took;
  sl_task *t;
  (void)state;
  req.url = fixture_url(&fx, "/hang");
  req.timeout_ms = 300;
  t = sl_fetch(ctx, &req);
  sl_task_wait(t);
  took = ev_time() - t0;
  assert_int_equal(sl_task_state(t), SL_FAILED);
  sl_task_error(t, &e);
  assert_int_equal(e->kind, SL_ERR_TIMEOUT);
  assert_true(took >= 0.29);
  assert_true(took < 3.0);
  sl_task_free(t);
  sl_ctx_free(ctx);
}

/* Two deadlines: a try timeout for each transfer beside the task's
   deadline.  A try that times out is retried within the deadline (the
   server sees each try), time queued behind a limit is not the try's,
   and each message names the timeout that passed and its value. */
static void test_two_deadlines(void **state)
{
  struct sl_options o = {0};
  struct sl_request req = {0};
  struct fixture_counters c;
  const struct sl_error *e;
  sl_task *slow, *queued, *blocker, *total;
  sl_ctx *ctx;
  double t0;
  (void)state;
  assert_int_equal(fixture_reset(&fx), 0);
  o.retries = 2;
  o.retry_max_delay_ms = 20;
  o.per_host = 1;
  ctx = sl_ctx_new(&o);
  req.url = fixture_url(&fx, "/delay/600");
  req.try_timeout_ms = 100;
  req.timeout_ms = 5000;
  t0 = ev_time();
  slow = sl_fetch(ctx, &req);
  sl_task_wait(slow);
  assert_true(ev_time() - t0 < 1.0);
  assert_int_equal(sl_task_error(slow, &e), SL_OK);
  assert_int_equal(e->kind, SL_ERR_TIMEOUT);
  assert_int_equal(sl_task_attempts(slow), 3);
  assert_non_null(strstr(e->message, "after 100 ms, the try timeout (try 3)"));
  assert_int_equal(fixture_stats(&fx, fx.host, &c), 0);
  assert_int_equal(c.requests, 3);

  /* 400 ms behind a blocker, then a 50 ms try: within its 200 ms */
  blocker = harness_fetch(ctx, fixture_url(&fx, "/delay/400"), 0);
  req.url = fixture_url(&fx, "/delay/50");
  req.try_timeout_ms = 200;
  req.timeout_ms = 0;
  queued = sl_fetch(ctx, &req);
  sl_task_wait(queued);
  assert_int_equal(sl_task_state(queued), SL_DONE);

  /* the deadline is the nearer one */
  req.url = fixture_url(&fx, "/delay/600");
  req.try_timeout_ms = 1000;
  req.timeout_ms = 150;
  total = sl_fetch(ctx, &req);
  sl_task_wait(total);
  assert_int_equal(sl_task_error(total, &e), SL_OK);
  assert_int_equal(e->kind, SL_ERR_TIMEOUT);
  assert_non_null(strstr(e->message, "after 150 ms, the request's deadline"));
  sl_task_free(slow);
  sl_task_free(queued);
  sl_task_free(blocker);
  sl_task_free(total);
  sl_ctx_free(ctx);
}

/* ---- invalid URLs among good ones ------------------------------------- */

static void test_invalid_in_the_middle(void **state)
{
  const char *urls[6];
  sl_ctx *ctx = harness_ctx(4);
  sl_task *t[6];
  int i;
  (void)state;
  urls[0] = fixture_url(&fx, "/bytes/10");
  urls[1] = fixture_url(&fx, "/bytes/11");
  urls[2] = "notaurl";
  urls[3] = "ftp://127.0.0.1/";
  urls[4] = "file:///etc/passwd";
  urls[5] = fixture_url(&fx, "/bytes/12");
  for(i = 0; i < 6; i++) {
    struct sl_request req = {0};
    req.url = urls[i];
    t[i] = sl_fetch(ctx, &req);
  }
  sl_run(ctx);
  for(i = 0; i < 6; i++) {
    const struct sl_error *e;
    sl_task_error(t[i], &e);
    if(i >= 2 && i <= 4) {
      assert_int_equal(sl_task_state(t[i]), SL_FAILED);
      assert_int_equal(e->kind, SL_ERR_INVALID_URL);
    } else {
      assert_int_equal(sl_task_state(t[i]), SL_DONE);
      assert_null(e);
    }
    sl_task_free(t[i]);
  }
  sl_ctx_free(ctx);
}

/* ---- responses -------------------------------------------------------- */

static void test_status_is_a_response(void **state)
{
  sl_ctx *ctx = harness_ctx(4);
  sl_task *a = harness_get(ctx, "/status/404", 0);
  sl_task *b = harness_get(ctx, "/status/503", SL_REQ_FAIL_ON_HTTP_ERROR);
  const struct sl_response *r;
  const struct sl_error *e;
  (void)state;
  sl_run(ctx);
  assert_int_equal(sl_task_state(a), SL_DONE);
  assert_int_equal(sl_task_response(a, &r), SL_OK);
  assert_int_equal(r->status, 404);
  assert_int_equal(r->http_version, 11);
  assert_int_equal(sl_task_state(b), SL_FAILED);
  sl_task_error(b, &e);
  assert_int_equal(e->kind, SL_ERR_HTTP);
  assert_non_null(strstr(e->message, "503"));
  assert_int_equal(sl_task_response(b, &r), SL_OK);
  assert_int_equal(r->status, 503);
  sl_task_free(a);
  sl_task_free(b);
  sl_ctx_free(ctx);
}

static void test_body_headers_and_limits(void **state)
{
  struct sl_request req = {0};
  sl_ctx *ctx = harness_ctx(4);
  sl_task *a =
      harness_get(ctx, "/bytes/100", SL_REQ_BUFFER_BODY | SL_REQ_KEEP_HEADERS);
  sl_task *h = harness_get(ctx, "/bytes/100", SL_REQ_HEAD);
  /* kept headers are the last response's, not a redirect's */
  sl_task *redir = harness_get(ctx, "/redirect/2",
                               SL_REQ_FOLLOW_REDIRECTS | SL_REQ_KEEP_HEADERS);
  sl_task *big;
  const struct sl_response *r;
  const struct sl_error *e;
  (void)state;
  req.url = fixture_url(&fx, "/bytes/100000");
  req.max_body = 1000;
  big = sl_fetch(ctx, &req);
  sl_run(ctx);
  assert_int_equal(sl_task_response(a, &r), SL_OK);
  assert_int_equal(r->bytes, 100);
  assert_int_equal(r->body_len, 100);
  assert_non_null(r->body);
  assert_non_null(r->content_type);
  assert_string_equal(sl_task_header(a, "content-length"), "100");
  assert_string_equal(sl_task_header(a, "Content-Length"), "100");
  assert_null(sl_task_header(a, "x-not-there"));
  assert_true(r->timing.total_ms > 0);
  assert_true(r->timing.total_ms >= r->timing.connect_ms);
  assert_int_equal(sl_task_response(h, &r), SL_OK);
  assert_int_equal(r->status, 200);
  assert_int_equal(r->bytes, 0);
  assert_null(sl_task_header(h, "content-length")); /* not kept */
  assert_int_equal(sl_task_response(redir, &r), SL_OK);
  assert_int_equal(r->status, 200);
  assert_int_equal(r->redirects, 2);
  assert_string_equal(sl_task_header(redir, "Content-Length"), "10");
  assert_null(sl_task_header(redir, "location"));
  assert_int_equal(sl_task_state(big), SL_FAILED);
  sl_task_error(big, &e);
  assert_int_equal(e->kind, SL_ERR_TOO_LARGE);
  sl_task_free(a);
  sl_task_free(h);
  sl_task_free(redir);
  sl_task_free(big);
  sl_ctx_free(ctx);
}

/* ---- bytes so far: a progress meter's figure -------------------------- */

struct midway {
  sl_task *t;
  uint64_t bytes;
  enum sl_state state;
};

static void look_midway(void *ud)
{
  struct midway *m = ud;
  m->bytes = sl_task_bytes(m->t);
  m->state = sl_task_state(m->t);
}

/* /drip/20/20: 20 bytes, one every 20 ms.  Halfway through, some have
   come and not all; at the end, the response's count. */
static void test_bytes_so_far(void **state)
{
  sl_ctx *ctx = harness_ctx(4);
  struct midway m = {0};
  const struct sl_response *r;
  (void)state;
  assert_int_equal(sl_task_bytes(NULL), 0);
  m.t = harness_get(ctx, "/drip/20/20", 0);
  assert_int_equal(sl_task_bytes(m.t), 0);
  sl_call_later(ctx, 200, look_midway, &m);
  sl_run(ctx);
  assert_int_equal(m.state, SL_RUNNING);
  assert_true(m.bytes >= 2 && m.bytes <= 18);
  assert_int_equal(sl_task_response(m.t, &r), SL_OK);
  assert_int_equal(sl_task_bytes(m.t), 20);
  assert_int_equal(r->bytes, 20);
  sl_task_free(m.t);
  sl_ctx_free(ctx);
}

static void test_connection_reuse(void **state)
{
  sl_ctx *ctx = harness_ctx(1);
  sl_task *t[20];
  int i, reused = 0;
  long before, after;
  (void)state;
  before = fixture_open_connections(&fx);
  for(i = 0; i < 20; i++)
    t[i] = harness_get(ctx, "/bytes/10", 0);
  sl_run(ctx);
  after = fixture_open_connections(&fx);
  for(i = 0; i < 20; i++) {
    const struct sl_response *r;
    assert_int_equal(sl_task_response(t[i], &r), SL_OK);
    reused += r->reused_connection;
    sl_task_free(t[i]);
  }
  assert_int_equal(reused, 19);
  /* one kept-alive connection of ours, as the server counts it */
  assert_int_equal(after - before, 1);
  sl_ctx_free(ctx);
}

/* ---- kept-alive connections between transfers ------------------------ */

static void on_guard(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)revents;
  *(bool *)w->data = true;
  ev_break(loop, EVBREAK_ALL);
}

/* A GET of path with a 5 s deadline, run to its end; the response. */
static const struct sl_response *fetch_one(sl_ctx *ctx, const char *path,
                                           sl_task **out)
{
  struct sl_request req = {0};
  const struct sl_response *r = NULL;
  req.url = fixture_url(&fx, path);
  req.timeout_ms = 5000;
  *out = sl_fetch(ctx, &req);
  assert_non_null(*out);
  sl_run(ctx);
  assert_int_equal(sl_task_response(*out, &r), SL_OK);
  return r;
}

/* The caller's own loop ends by itself once the transfers are done,
   although their connection stays open in curl's cache (its watcher is
   parked, not gone). */
static void test_idle_connection_lets_loop_end(void **state)
{
  struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
  struct sl_options o = {0};
  sl_ctx *ctx;
  sl_task *t[3];
  ev_timer guard;
  bool fired = false;
  long before;
  int i;
  (void)state;
  assert_non_null(loop);
  o.loop = loop;
  o.max_concurrency = 1;
  ctx = sl_ctx_new(&o);
  assert_non_null(ctx);
  before = fixture_open_connections(&fx);
  for(i = 0; i < 3; i++)
    t[i] = harness_get(ctx, "/bytes/10", 0);
  ev_timer_init(&guard, on_guard, 10., 0.);
  guard.data = &fired;
  ev_timer_start(loop, &guard);
  ev_unref(loop); /* the guard alone does not keep the loop going */
  ev_run(loop, 0);
  ev_ref(loop);
  ev_timer_stop(loop, &guard);
  assert_false(fired);
  for(i = 0; i < 3; i++) {
    const struct sl_response *r;
    assert_int_equal(sl_task_response(t[i], &r), SL_OK);
    assert_int_equal(r->status, 200);
    assert_int_equal(r->reused_connection, i > 0);
    sl_task_free(t[i]);
  }
  /* the loop ended with the connection still open, as the server sees */
  assert_int_equal(fixture_open_connections(&fx) - before, 1);
  sl_ctx_free(ctx);
  ev_loop_destroy(loop);
}

/* A request's deadline does not keep the caller's loop going once the
   request is done: ev_run returns with the work, not with the deadline
   (a 2 ms fetch with a 3 s timeout once kept it for 3 s). */
static void test_deadline_lets_loop_end(void **state)
{
  struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
  struct sl_options o = {0};
  sl_ctx *ctx;
  sl_task *t;
  double t0;
  (void)state;
  assert_non_null(loop);
  o.loop = loop;
  ctx = sl_ctx_new(&o);
  assert_non_null(ctx);
  t = harness_fetch(ctx, fixture_url(&fx, "/bytes/10"), 3000);
  t0 = ev_time();
  ev_run(loop, 0);
  assert_true(ev_time() - t0 < 1.0);
  assert_int_equal(sl_task_state(t), SL_DONE);
  sl_task_free(t);
  sl_ctx_free(ctx);
  ev_loop_destroy(loop);
}

/* ---- a caller's loop, shared -------------------------------------------- */

struct shared_loop {
  int done;
  double last_done; /* ev_time() of the last task's end */
  double expected;  /* when the caller's timer is due */
  int ticks, late;  /* its firings; those over 5 ms late */
  double worst_cpu; /* the most CPU time one iteration's callbacks took */
};

static struct shared_loop shared;

static double cpu_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every callback of an iteration runs in here: the CPU time they take
   is how long the caller's timer could be kept waiting by them. */
static void invoke_timed(struct ev_loop *loop)
{
  double t0 = cpu_now();
  ev_invoke_pending(loop);
  if(cpu_now() - t0 > shared.worst_cpu)
    shared.worst_cpu = cpu_now() - t0;
}

static void on_shared_done(sl_task *t, void *ud)
{
  struct shared_loop *s = ud;
  if(sl_task_state(t) == SL_DONE)
    s->done++;
  s->last_done = ev_time();
  sl_task_free(t);
}

/* The caller's own 2 ms timer: how late is it? */
static void on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
  struct shared_loop *s = w->data;
  (void)revents;
  if(ev_time() - s->expected > 0.005)
    s->late++;
  s->ticks++;
  s->expected = ev_now(loop) + 0.002;
}

/* The caller's loop runs its own timer every 2 ms while 3000 requests go
   through sluice on it: no iteration's callbacks take 5 ms of CPU, so
   the timer fires on time (within 5 ms, but for a loaded machine taking
   the CPU away: most firings are asserted on time, all are printed),
   and ev_run
   returns as soon as the requests are done, the timer being
   unreferenced (nothing of sluice's keeps the loop once no task is
   live: kept-alive sockets, curl's timer, deadlines of finished
   tasks). */
static void test_caller_loop_shared(void **state)
{
  enum { N = 3000 };
  struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
  struct sl_options o = {0};
  struct shared_loop *s = &shared;
  ev_timer tick;
  sl_ctx *ctx;
  double end;
  (void)state;
  o.loop = loop;
  o.max_concurrency = 16;
  o.per_host = 16;
  ctx = sl_ctx_new(&o);
  assert_non_null(ctx);
  ev_set_invoke_pending_cb(loop, invoke_timed);
  for(int i = 0; i < N; i++)
    sl_task_on_done(harness_fetch(ctx, fixture_url(&fx, "/bytes/100"), 5000),
                    on_shared_done, s);
  ev_timer_init(&tick, on_tick, 0.002, 0.002);
  tick.data = s;
  ev_now_update(loop);
  s->expected = ev_now(loop) + 0.002;
  ev_timer_start(loop, &tick);
  ev_unref(loop);
  ev_run(loop, 0);
  end = ev_time();
  ev_ref(loop);
  ev_timer_stop(loop, &tick);
  sl_ctx_free(ctx);
  ev_loop_destroy(loop);
  print_message("%d done; %d ticks, %d over 5 ms late; the longest iteration "
                "%.2f ms of CPU; ev_run returned %.1f ms after the last\n",
                s->done, s->ticks, s->late, s->worst_cpu * 1e3,
                (end - s->last_done) * 1e3);
  assert_int_equal(s->done, N);
  if(!harness_timed())
    return;
  assert_true(s->ticks > 5);
  assert_true(s->late * 2 <= s->ticks);
  assert_true(s->worst_cpu < 0.005);
  assert_true(end - s->last_done < 0.050);
}

/* The server closes a connection idle in curl's cache (its keep-alive
   timeout).  While the loop runs, the close must not spin it; the next
   transfer gets a new connection and its socket (often under the same
   fd number) is watched afresh, whether or not the loop saw the close. */
static void test_server_closes_idle_connection(void **state)
{
  sl_ctx *ctx = harness_ctx(1);
  struct ev_loop *loop = sl_ctx_loop(ctx);
  const struct sl_response *r;
  sl_task *t;
  ev_timer wait;
  bool fired = false;
  unsigned iterations;
  (void)state;

  r = fetch_one(ctx, "/idle-close/100", &t);
  assert_int_equal(r->status, 200);
  sl_task_free(t);
  /* 400 ms of loop: the server closes after 100 */
  iterations = ev_iteration(loop);
  ev_timer_init(&wait, on_guard, 0.4, 0.);
  wait.data = &fired;
  ev_timer_start(loop, &wait);
  ev_run(loop, 0);
  assert_true(fired);
  iterations = ev_iteration(loop) - iterations;
  print_message("%u loop iterations in 400 ms around the close\n", iterations);
  assert_in_range(iterations, 1, 100); /* a spinning loop makes thousands */
  r = fetch_one(ctx, "/bytes/10", &t);
  assert_int_equal(r->status, 200);
  assert_false(r->reused_connection);
  sl_task_free(t);

  /* again, with nobody running the loop while the server closes */
  r = fetch_one(ctx, "/idle-close/100", &t);
  assert_int_equal(r->status, 200);
  sl_task_free(t);
  usleep(300000);
  r = fetch_one(ctx, "/bytes/10", &t);
  assert_int_equal(r->status, 200);
  assert_false(r->reused_connection);
  sl_task_free(t);
  sl_ctx_free(ctx);
}

/* curl closes a connection that is idle in its cache (here: the cache is
   full, 16 at this concurrency, and the oldest goes) while sluice still
   has its watcher parked; the next new socket, likely under the same fd
   number, must get a registration of its own, not the stale one.  (A new
   TCP socket is first watched for writing, a change of mask that
   registers it anyway; the close and open hooks make sure of it for any
   mask.  Under ASan this also runs the release from inside curl's
   close.) */
static void test_cache_closes_parked_socket(void **state)
{
  enum { HOSTS = 18 };
  static char names[HOSTS][64];
  const char *resolve[HOSTS + 1];
  struct sl_options o = {0};
  sl_ctx *ctx;
  int i;
  (void)state;
  for(i = 0; i < HOSTS; i++) {
    snprintf(names[i], sizeof(names[i]), "h%d.test:%d:127.0.0.1", i, fx.port);
    resolve[i] = names[i];
  }
  resolve[HOSTS] = NULL;
  o.max_concurrency = 1;
  o.resolve = resolve;
  ctx = sl_ctx_new(&o);
  assert_non_null(ctx);
  /* one connection per host name, one after another: from the 17th on,
     each return to the cache closes the oldest */
  for(int round = 0; round < 2; round++) {
    for(i = 0; i < HOSTS; i++) {
      struct sl_request req = {0};
      const struct sl_response *r;
      char url[128];
      sl_task *t;
      snprintf(url, sizeof(url), "http://h%d.test:%d/bytes/10", i, fx.port);
      req.url = url;
      req.timeout_ms = 5000;
      t = sl_fetch(ctx, &req);
      sl_run(ctx);
      assert_int_equal(sl_task_response(t, &r), SL_OK);
      assert_int_equal(r->status, 200);
      sl_task_free(t);
    }
  }
  sl_ctx_free(ctx);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_many_urls),
      cmocka_unit_test(test_cap_from_server),
      cmocka_unit_test(test_cancel_hanging),
      cmocka_unit_test(test_timeout_on_hang),
      cmocka_unit_test(test_two_deadlines),
      cmocka_unit_test(test_invalid_in_the_middle),
      cmocka_unit_test(test_status_is_a_response),
      cmocka_unit_test(test_body_headers_and_limits),
      cmocka_unit_test(test_bytes_so_far),
      cmocka_unit_test(test_connection_reuse),
      cmocka_unit_test(test_idle_connection_lets_loop_end),
      cmocka_unit_test(test_deadline_lets_loop_end),
      cmocka_unit_test(test_caller_loop_shared),
      cmocka_unit_test(test_server_closes_idle_connection),
      cmocka_unit_test(test_cache_closes_parked_socket),
  };
  static const struct harness h = {.fx = &fx};
  return harness_main(argc, argv, tests, &h);
}
