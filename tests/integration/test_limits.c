/*
 * test_limits.c - politeness, asserted from the servers' side: three
 * sluice-fixture instances are three hosts (host:port), and each counts
 * what it saw (requests, highest in flight, arrival times).  Per-host
 * caps, no head-of-line blocking, the global and per-host request rates,
 * Retry-After pausing a whole host, retries with backoff bounded by
 * count and deadline, bandwidth caps (all transfers, each host).
 *
 * argv[1] is the sluice-fixture binary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sluice.h"
#include "support/harness.h"

static struct fixture fx[3]; /* three hosts, started by harness_setup */

static void reset_all(void)
{
  for(int i = 0; i < 3; i++)
    assert_int_equal(fixture_reset(&fx[i]), 0);
}

/* A GET of PATH on host H. */
static sl_task *get(sl_ctx *ctx, int h, const char *path, long timeout_ms)
{
  return harness_fetch(ctx, fixture_url(&fx[h], path), timeout_ms);
}

/* N GETs of PATH on host H that free themselves. */
static void spawn(sl_ctx *ctx, int h, const char *path, int n)
{
  for(int i = 0; i < n; i++)
    sl_task_on_done(get(ctx, h, path, 0), harness_free_task, NULL);
}

static void test_per_host_cap(void **state)
{
  struct sl_options o = {0};
  struct fixture_counters c;
  sl_ctx *ctx;
  (void)state;
  reset_all();
  o.max_concurrency = 50;
  o.per_host = 3;
  ctx = sl_ctx_new(&o);
  for(int h = 0; h < 3; h++)
    spawn(ctx, h, "/delay/50", 30);
  sl_run(ctx);
  for(int h = 0; h < 3; h++) {
    assert_int_equal(fixture_stats(&fx[h], fx[h].host, &c), 0);
    assert_int_equal(c.requests, 30);
    assert_int_equal(c.max_in_flight, 3); /* reached, never above */
  }
  sl_ctx_free(ctx);
}

struct clock_in {
  double last;
  int n;
};

static void note_done(sl_task *t, void *ud)
{
  struct clock_in *c = ud;
  c->last = ev_time();
  c->n++;
  sl_task_free(t);
}

/* 50 slots, host 0 capped at 2 with 40 slow URLs queued first: host 1's
   URLs still run at once. */
static void test_no_head_of_line_blocking(void **state)
{
  struct sl_options o = {0};
  struct clock_in fast = {0};
  sl_task *slow[40];
  double t0;
  sl_ctx *ctx;
  int i;
  (void)state;
  o.max_concurrency = 50;
  o.per_host = 2;
  o.quiet = true;
  ctx = sl_ctx_new(&o);
  t0 = ev_time();
  for(i = 0; i < 40; i++)
    slow[i] = get(ctx, 0, "/delay/200", 0);
  for(i = 0; i < 200; i++)
    sl_task_on_done(get(ctx, 1, "/bytes/10", 0), note_done, &fast);
  while(fast.n < 200)
    ev_run(sl_ctx_loop(ctx), EVRUN_ONCE);
  print_message("200 URLs of a free host done in %.0f ms behind 40 "
                "queued for a host capped at 2\n",
                (fast.last - t0) * 1000);
  assert_true(fast.last - t0 < 1.0); /* the slow host needs 4 s */
  for(i = 0; i < 40; i++) {
    sl_task_cancel(slow[i], NULL);
    sl_task_free(slow[i]);
  }
  sl_ctx_free(ctx);
}

/* The request rate as the server saw it: total span and the busiest
   one-second window. */
static void check_rate(int h, int n, double rate, unsigned burst)
{
  double *a = calloc((size_t)n, sizeof(double));
  long got = fixture_arrivals(&fx[h], fx[h].host, a, n);
  double span, want = (n - burst) / rate;
  long worst = 0;
  if(got != n)
    free(a);
  assert_int_equal(got, n);
  span = a[n - 1] - a[0];
  /* windows of 980 ms: the server's clock also sees the time a request
     takes from our socket to its accept, up to 20 ms on a machine loaded
     with other test suites (52 in 995 ms were seen there at 50/s, where
     a quiet machine sees 50); a bucket that let a burst or twice the
     rate through would still show */
  for(long i = 0, j = 0; i < n; i++) {
    while(a[i] - a[j] >= 0.980)
      j++;
    if(i - j + 1 > worst)
      worst = i - j + 1;
  }
  print_message("%d requests at %.0f/s: span %.3f s (ideal %.3f, error "
                "%+.2f %%), busiest second %ld\n",
                n, rate, span, want, (span - want) / want * 100, worst);
  free(a);
  assert_true(span >= want * 0.98 && span <= want * 1.02);
  assert_true(worst <= (long)rate + (long)burst);
}

static void test_global_rate(void **state)
{
  struct sl_options o = {0};
  sl_ctx *ctx;
  (void)state;
  reset_all();
  o.max_concurrency = 64;
  o.rate = "50/s";
  ctx = sl_ctx_new(&o);
  spawn(ctx, 0, "/bytes/10", 200);
  sl_run(ctx);
  check_rate(0, 200, 50, 1);
  sl_ctx_free(ctx);
}

/* A rate whose interval is about the loop's timer slack (1 ms or less):
   several tasks wait for the same token, the first takes it and the
   others find the next one still 0.x ms ahead.  That once spun forever
   in the alarm pass (the timer counted as due, re-armed for the same
   time, fired again with the same now); alarm(20) ends a spinning run. */
static void test_fast_rate(void **state)
{
  struct sl_options o = {0};
  double *a = calloc(400, sizeof(double)), span, t0;
  sl_ctx *ctx;
  (void)state;
  assert_non_null(a);
  reset_all();
  o.max_concurrency = 64;
  o.rate = "2000/s";
  ctx = sl_ctx_new(&o);
  t0 = ev_time();
  alarm(20);
  spawn(ctx, 0, "/bytes/10", 400);
  sl_run(ctx);
  alarm(0);
  print_message("400 requests at 2000/s: %.3f s\n", ev_time() - t0);
  assert_int_equal(fixture_arrivals(&fx[0], fx[0].host, a, 400), 400);
  span = a[399] - a[0];
  free(a);
  /* and not slower: timers 1 ms late must not lose the tokens due
     meanwhile (it ran at 820/s when they did) */
  assert_true(span >= 399 / 2000.0 * 0.98 && span <= 399 / 2000.0 * 1.3);
  sl_ctx_free(ctx);
}

static void test_host_rate_leaves_others_free(void **state)
{
  struct sl_options o = {0};
  struct clock_in free_host = {0}, limited = {0};
  double t0;
  sl_ctx *ctx;
  int i;
  (void)state;
  reset_all();
  o.max_concurrency = 64;
  o.host_rate = "10/s";
  o.burst = 2;
  ctx = sl_ctx_new(&o);
  t0 = ev_time();
  for(i = 0; i < 22; i++)
    sl_task_on_done(get(ctx, 0, "/bytes/10", 0), note_done, &limited);
  for(i = 0; i < 10; i++) /* each host has its own bucket */
    sl_task_on_done(get(ctx, 1, "/bytes/10", 0), note_done, &free_host);
  sl_run(ctx);
  assert_true(free_host.last - t0 < 1.5);
  check_rate(0, 22, 10, 2);
  sl_ctx_free(ctx);
}

static void test_retry_after_pauses_host(void **state)
{
  struct sl_options o = {0};
  struct clock_in other = {0};
  double a[8];
  sl_task *first;
  const struct sl_response *r;
  double t0;
  sl_ctx *ctx;
  (void)state;
  reset_all();
  o.max_concurrency = 16;
  o.per_host = 1; /* the 429 comes back before the rest start */
  ctx = sl_ctx_new(&o);
  t0 = ev_time();
  first = get(ctx, 0, "/retry-after/2", 0);
  spawn(ctx, 0, "/bytes/1", 5);
  spawn(ctx, 1, "/bytes/1", 5);
  sl_task_on_done(get(ctx, 1, "/bytes/1", 0), note_done, &other);
  sl_run(ctx);
  assert_int_equal(sl_task_response(first, &r), SL_OK);
  assert_int_equal(r->status, 429);
  assert_int_equal(fixture_arrivals(&fx[0], fx[0].host, a, 8), 6);
  /* every other request of that host waited out the pause */
  for(int i = 1; i < 6; i++)
    assert_true(a[i] - a[0] >= 1.95);
  assert_true(a[1] - a[0] < 2.6);
  assert_true(other.last - t0 < 1.0); /* the other host did not wait */
  sl_task_free(first);
  sl_ctx_free(ctx);
}

static void test_retries(void **state)
{
  struct sl_options o = {0};
  struct fixture_counters c;
  const struct sl_response *r;
  const struct sl_error *e;
  sl_task *ok, *gave_up, *refused, *bounded;
  double t0, took;
  sl_ctx *ctx;
  (void)state;
  reset_all();
  o.max_concurrency = 16;
  o.retries = 3;
  o.retry_max_delay_ms = 50;
  o.quiet = true;
  ctx = sl_ctx_new(&o);
  ok = get(ctx, 0, "/flaky/2", 0);
  gave_up = get(ctx, 1, "/flaky/10", 0);
  refused = sl_fetch(ctx, &(struct sl_request){.url = "http://127.0.0.1:1/"});
  sl_run(ctx);
  assert_int_equal(sl_task_response(ok, &r), SL_OK);
  assert_int_equal(r->status, 200);
  assert_int_equal(sl_task_attempts(ok), 3);
  assert_int_equal(fixture_stats(&fx[0], fx[0].host, &c), 0);
  assert_int_equal(c.requests, 3); /* as the server counts them */
  assert_int_equal(sl_task_response(gave_up, &r), SL_OK);
  assert_int_equal(r->status, 500); /* the last answer stands */
  assert_int_equal(sl_task_attempts(gave_up), 4);
  assert_int_equal(fixture_stats(&fx[1], fx[1].host, &c), 0);
  assert_int_equal(c.requests, 4);
  assert_int_equal(sl_task_attempts(refused), 4);
  sl_task_error(refused, &e);
  assert_int_equal(e->kind, SL_ERR_CONNECT);
  sl_task_free(ok);
  sl_task_free(gave_up);
  sl_task_free(refused);
  sl_ctx_free(ctx);

  /* the deadline bounds the retries */
  o.retries = 50;
  o.retry_max_delay_ms = 200;
  ctx = sl_ctx_new(&o);
  t0 = ev_time();
  bounded = get(ctx, 2, "/flaky/1000", 700);
  sl_task_wait(bounded);
  took = ev_time() - t0;
  assert_true(took < 0.9);
  assert_true(sl_task_attempts(bounded) < 51);
  print_message("retries within a 700 ms deadline: %u tries, %.0f ms\n",
                sl_task_attempts(bounded), took * 1000);
  sl_task_free(bounded);
  sl_ctx_free(ctx);
}

/* ---- priorities --------------------------------------------------------- */

struct host_seen {
  const char *key;
  struct sl_host_stats st;
  int rc;
};

static void look_at_host(void *ud)
{
  struct host_seen *h = ud;
  h->rc = sl_host_stats(sl_task_ctx(NULL), h->key, &h->st); /* EINVAL */
}

static sl_ctx *prio_ctx;

static void look_at_host_now(void *ud)
{
  struct host_seen *h = ud;
  look_at_host(ud);
  assert_int_equal(h->rc, SL_EINVAL);
  h->rc = sl_host_stats(prio_ctx, h->key, &h->st);
}

/* Tasks waiting at one host are admitted lowest priority first, FIFO
   within one, at its slots and at its rate's tokens alike, as the server
   sees them arrive: two blockers hold both slots, then 24 tasks of
   scrambled priorities queue; when the blockers end, two at a time hold
   a slot and wait for the next token together (one start each 25 ms, so
   the order they start in is the order they arrive in).  While they wait, the
   host's counts say so. */
static void test_priority_order_at_a_host(void **state)
{
  enum { N = 24 };
  struct sl_options o = {0};
  struct host_seen seen = {fx[0].host, {0}, 0};
  (void)state;
  reset_all();
  assert_int_equal(fixture_journal_reset(&fx[0]), 0);
  o.max_concurrency = 50;
  o.per_host = 2;
  o.host_rate = "40/s"; /* one start each 25 ms: arrivals keep the order */
  prio_ctx = sl_ctx_new(&o);
  for(int b = 0; b < 2; b++) {
    struct sl_request req = harness_req("/delay/150", 0);
    req.priority = -1;
    sl_task_on_done(sl_fetch(prio_ctx, &req), harness_free_task, NULL);
  }
  for(int i = 0; i < N; i++) {
    struct sl_request req = {0};
    char path[64];
    snprintf(path, sizeof(path), "/bytes/1?p=%d&i=%d", (i * 5) % 4, i);
    req.url = fixture_url(&fx[0], path);
    req.priority = (i * 5) % 4;
    sl_task_on_done(sl_fetch(prio_ctx, &req), harness_free_task, NULL);
  }
  sl_call_later(prio_ctx, 60, look_at_host_now, &seen);
  sl_run(prio_ctx);
  assert_int_equal(seen.rc, SL_OK);
  assert_int_equal(seen.st.running, 2);
  assert_int_equal(seen.st.waiting, N);
  assert_int_equal(seen.st.max_conns, 2);
  /* kept until its bucket is full again, but nothing waits or runs */
  sl_host_stats(prio_ctx, fx[0].host, &seen.st);
  assert_int_equal(seen.st.running + seen.st.waiting, 0);
  harness_assert_priority_order(&fx[0], "/bytes/1", N);
  sl_ctx_free(prio_ctx);
}

/* ---- a host's own limits, at run time --------------------------------- */

struct widen {
  sl_ctx *ctx;
  const char *key;
};

static void widen_host(void *ud)
{
  struct widen *w = ud;
  struct sl_host_limits l = {4, NULL, 0, 0};
  assert_int_equal(sl_host_limits_set(w->ctx, w->key, &l), SL_OK);
}

/* A Crawl-delay: one at a time, 60 ms apart, as the server sees them;
   then, cleared, the context's limits again; raised while tasks wait,
   they start at once; a pause holds the host back. */
static void test_host_limits_at_run_time(void **state)
{
  struct sl_options o = {0};
  struct sl_host_limits crawl_delay = {1, NULL, 60, 0};
  struct sl_host_limits paused = {0, NULL, 0, 300};
  struct fixture_counters c;
  double at[8], t0;
  struct widen w;
  sl_ctx *ctx;
  sl_task *t;
  (void)state;
  reset_all();
  o.per_host = 1;
  ctx = sl_ctx_new(&o);
  t = get(ctx, 0, "/robots.txt", 0);
  sl_task_wait(t);
  assert_string_equal(sl_task_host_key(t), fx[0].host);
  assert_int_equal(sl_host_limits_set(ctx, sl_task_host_key(t), &crawl_delay),
                   SL_OK);
  sl_task_free(t);
  assert_int_equal(fixture_reset(&fx[0]), 0);
  spawn(ctx, 0, "/delay/10", 6);
  sl_run(ctx);
  assert_int_equal(fixture_arrivals(&fx[0], fx[0].host, at, 8), 6);
  for(int i = 1; i < 6 && harness_timed(); i++) /* the server's clock */
    assert_true(at[i] - at[i - 1] > 0.055);

  /* cleared; then raised from 1 to 4 while four wait */
  assert_int_equal(sl_host_limits_set(ctx, fx[0].host, NULL), SL_OK);
  assert_int_equal(fixture_reset(&fx[0]), 0);
  w.ctx = ctx;
  w.key = fx[0].host;
  spawn(ctx, 0, "/delay/300", 4);
  sl_call_later(ctx, 50, widen_host, &w);
  t0 = ev_time();
  sl_run(ctx);
  /* one at a time would take 1.2 s */
  assert_true(ev_time() - t0 < 0.8 || !harness_timed());
  assert_int_equal(fixture_stats(&fx[0], fx[0].host, &c), 0);
  assert_true(c.max_in_flight >= 3);

  /* a pause of its own */
  assert_int_equal(sl_host_limits_set(ctx, fx[0].host, &paused), SL_OK);
  t0 = ev_time();
  spawn(ctx, 0, "/bytes/1", 2);
  sl_run(ctx);
  assert_true(ev_time() - t0 >= 0.29);
  crawl_delay.rate = "1/s"; /* both: refused */
  assert_int_equal(sl_host_limits_set(ctx, fx[0].host, &crawl_delay),
                   SL_EINVAL);
  sl_ctx_free(ctx);
}

static void test_bad_rates(void **state)
{
  struct sl_options o = {0};
  const char *why = NULL;
  (void)state;
  assert_true(sl_rate_check("100/s", &why));
  assert_true(sl_rate_check("600/m", &why));
  assert_true(sl_rate_check("0.5/s", &why));
  assert_false(sl_rate_check("fast", &why));
  assert_non_null(why);
  assert_false(sl_rate_check("10/d", &why));
  assert_false(sl_rate_check("-1/s", &why));
  assert_false(sl_rate_check(NULL, &why));
  o.rate = "lots";
  errno = 0;
  assert_null(sl_ctx_new(&o));
  assert_int_equal(errno, EINVAL);
  o.rate = NULL;
  o.host_rate = "1/x";
  assert_null(sl_ctx_new(&o));
}

/* ---- bandwidth -------------------------------------------------------- */

/* Host H served n bodies of `size` bytes one after another (one
   connection): the next request arrives once the last body was taken, so
   the span of the arrivals is the time n - 1 bodies took. */
static void check_bandwidth(int h, int n, double size, double rate)
{
  double a[16], span, want = (n - 1) * size / rate;
  assert_true(n <= 16);
  assert_int_equal(fixture_arrivals(&fx[h], fx[h].host, a, n), n);
  span = a[n - 1] - a[0];
  print_message("host %d: %d bodies of %.0f bytes at %.0f bytes/s: span "
                "%.3f s (ideal %.3f, error %+.1f %%)\n",
                h, n, size, rate, span, want, (span - want) / want * 100);
  /* the bucket (50 ms of the rate) goes at once; the rest is paced */
  assert_true(span >= want - 0.05 - 0.03 && span <= want * 1.07);
}

static void test_bandwidth(void **state)
{
  struct sl_options o = {0};
  sl_ctx *ctx;
  (void)state;
  reset_all();
  o.max_concurrency = 8;
  o.per_host = 1;
  o.bandwidth = 256 * 1024; /* over all: host 0 alone */
  ctx = sl_ctx_new(&o);
  assert_non_null(ctx);
  spawn(ctx, 0, "/bytes/65536", 9);
  sl_run(ctx);
  sl_ctx_free(ctx);
  check_bandwidth(0, 9, 65536, 256 * 1024);

  o.bandwidth = 0;
  o.host_bandwidth = 256 * 1024; /* each host on its own, at once */
  ctx = sl_ctx_new(&o);
  spawn(ctx, 1, "/bytes/65536", 5);
  spawn(ctx, 2, "/bytes/65536", 5);
  sl_run(ctx);
  sl_ctx_free(ctx);
  check_bandwidth(1, 5, 65536, 256 * 1024);
  check_bandwidth(2, 5, 65536, 256 * 1024);

  o.host_bandwidth = (UINT64_C(1) << 60) + 1;
  errno = 0;
  assert_null(sl_ctx_new(&o));
  assert_int_equal(errno, EINVAL);
}

static void cancel_cb(void *ud)
{
  sl_task_cancel(ud, "enough");
}

/* At 128 KiB/s each 16 KiB piece after the first is held back and handed
   over again on unpause: the one that crosses max_body fails the task
   there (kind too_large, as without a cap); a transfer cancelled while
   paused ends with what had come. */
static void test_bandwidth_ends(void **state)
{
  struct sl_options o = {0};
  struct sl_request req;
  const struct sl_response *r;
  const struct sl_error *e;
  sl_task *big, *cut;
  sl_ctx *ctx;
  (void)state;
  o.bandwidth = 128 * 1024;
  ctx = sl_ctx_new(&o);
  req = harness_req("/bytes/65536", 0);
  req.url = fixture_url(&fx[0], "/bytes/65536");
  req.max_body = 40000;
  big = sl_fetch(ctx, &req);
  cut = get(ctx, 1, "/bytes/1000000", 0);
  sl_call_later(ctx, 300, cancel_cb, cut);
  sl_run(ctx);
  assert_int_equal(sl_task_state(big), SL_FAILED);
  assert_int_equal(sl_task_error(big, &e), SL_OK);
  assert_int_equal(e->kind, SL_ERR_TOO_LARGE);
  assert_int_equal(sl_task_state(cut), SL_CANCELLED);
  assert_int_equal(sl_task_response(cut, &r), SL_OK);
  assert_true(r->bytes > 0 && r->bytes < 1000000);
  sl_task_free(big);
  sl_task_free(cut);
  sl_ctx_free(ctx);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_per_host_cap),
      cmocka_unit_test(test_no_head_of_line_blocking),
      cmocka_unit_test(test_global_rate),
      cmocka_unit_test(test_fast_rate),
      cmocka_unit_test(test_host_rate_leaves_others_free),
      cmocka_unit_test(test_retry_after_pauses_host),
      cmocka_unit_test(test_retries),
      cmocka_unit_test(test_priority_order_at_a_host),
      cmocka_unit_test(test_host_limits_at_run_time),
      cmocka_unit_test(test_bad_rates),
      cmocka_unit_test(test_bandwidth),
      cmocka_unit_test(test_bandwidth_ends),
  };
  static const struct harness h = {.fx = fx, .fixtures = 3};
  return harness_main(argc, argv, tests, &h);
}
