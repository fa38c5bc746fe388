/*
 * test_dns.c - names through c-ares on the loop, against sluice-fixture's
 * DNS responder (every name under .test is 127.0.0.1 with TTL 2, under
 * .short with TTL 1; nope.test... is not: only the zone answers).  Counts
 * come from the fixture: queries per name and type, requests per Host.
 * Per-host limits key on the names; one query per name while the TTL
 * holds; a new one after it; NXDOMAIN, SERVFAIL and timeouts are dns
 * errors and the run goes on; deadlines cover resolution; /etc/hosts and
 * fixed answers need no server; no thread is made for resolution; fixed
 * answers and DNS servers that do not parse are refused at creation.
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

static struct fixture fx; /* started by harness_setup, with this zone: */
static const char *const zone[] = {
    "--zone",     ".test=127.0.0.1,2", "--zone",         ".short=127.0.0.1,1",
    "--dns-drop", "slow.test",         "--dns-servfail", "broken.test",
    NULL,
};

static sl_ctx *dns_ctx(unsigned per_host, long dns_timeout_ms)
{
  struct sl_options o = {0};
  o.max_concurrency = 64;
  o.per_host = per_host;
  o.dns_servers = fx.dns_server;
  o.dns_timeout_ms = dns_timeout_ms;
  o.quiet = true;
  return sl_ctx_new(&o);
}

/* A GET of http://NAME:PORT/PATH, the fixture's port. */
static sl_task *get(sl_ctx *ctx, const char *name, const char *path,
                    long timeout_ms)
{
  return harness_fetch(ctx, fixture_url_host(&fx, name, path), timeout_ms);
}

static int threads(void)
{
  char line[256];
  int n = -1;
  FILE *f = fopen("/proc/self/status", "r");
  while(f && fgets(line, sizeof(line), f))
    if(sscanf(line, "Threads: %d", &n) == 1)
      break;
  if(f)
    fclose(f);
  return n;
}

struct seen {
  int done, max_threads;
};

static void on_done(sl_task *t, void *ud)
{
  struct seen *s = ud;
  int n = threads();
  if(n > s->max_threads)
    s->max_threads = n;
  if(sl_task_state(t) == SL_DONE)
    s->done++;
  sl_task_free(t);
}

static void test_per_host_keys_on_names(void **state)
{
  static const char *names[] = {"a.test", "b.test", "c.test"};
  struct fixture_counters c;
  struct seen s = {0};
  sl_ctx *ctx = dns_ctx(2, 0);
  char host[64];
  (void)state;
  assert_int_equal(fixture_reset(&fx), 0);
  for(int n = 0; n < 3; n++)
    for(int i = 0; i < 20; i++)
      sl_task_on_done(get(ctx, names[n], "/delay/40", 0), on_done, &s);
  sl_run(ctx);
  assert_int_equal(s.done, 60);
  assert_int_equal(s.max_threads, 1); /* no resolver thread, ever */
  for(int n = 0; n < 3; n++) {
    snprintf(host, sizeof(host), "%s:%d", names[n], fx.port);
    assert_int_equal(fixture_stats(&fx, host, &c), 0);
    assert_int_equal(c.requests, 20);
    assert_int_equal(c.max_in_flight, 2); /* three names, three caps */
  }
  assert_int_equal(fixture_stats(&fx, NULL, &c), 0);
  assert_int_equal(c.max_in_flight, 6); /* one IP, one port */
  sl_ctx_free(ctx);
}

static void test_one_query_per_ttl(void **state)
{
  struct seen s = {0};
  struct sl_stats st;
  sl_ctx *ctx = dns_ctx(0, 0);
  double t0;
  long first;
  bool inside;
  (void)state;
  assert_int_equal(fixture_reset(&fx), 0);
  t0 = ev_time();
  for(int i = 0; i < 1000; i++)
    sl_task_on_done(get(ctx, "many.short", "/bytes/1", 0), on_done, &s);
  sl_run(ctx);
  assert_int_equal(s.done, 1000);
  /* inside the 1 s TTL, or (under valgrind) a later task may ask anew */
  inside = ev_time() - t0 < 1.0;
  if(harness_timed())
    assert_true(inside);
  if(inside) {
    assert_int_equal(fixture_dns_queries(&fx, "many.short", "A"), 1);
    assert_int_equal(fixture_dns_queries(&fx, "many.short", "AAAA"), 1);
    sl_ctx_stats(ctx, &st);
    assert_int_equal(st.dns_queries, 1);
  }
  first = fixture_dns_queries(&fx, "many.short", "A");
  /* after the TTL, a new query */
  usleep(1200 * 1000);
  sl_task_on_done(get(ctx, "many.short", "/bytes/1", 0), on_done, &s);
  sl_run(ctx);
  assert_int_equal(s.done, 1001);
  assert_int_equal(fixture_dns_queries(&fx, "many.short", "A"), first + 1);
  sl_ctx_free(ctx);
}

static void expect_dns_error(sl_task *t, const char *words)
{
  const struct sl_error *e;
  assert_int_equal(sl_task_state(t), SL_FAILED);
  assert_int_equal(sl_task_error(t, &e), SL_OK);
  print_message("%s -> %s: %s\n", sl_task_url(t), sl_error_kind_name(e->kind),
                e->message);
  assert_int_equal(e->kind, SL_ERR_DNS);
  assert_non_null(strstr(e->message, words));
}

static void test_dns_failures_and_the_run_goes_on(void **state)
{
  sl_ctx *ctx = dns_ctx(0, 200);
  sl_task *nx, *sf, *slow, *ok;
  double t0 = ev_time();
  (void)state;
  nx = get(ctx, "nope.invalid", "/", 0);
  sf = get(ctx, "broken.test", "/", 0);
  slow = get(ctx, "slow.test", "/", 0);
  ok = get(ctx, "fine.test", "/bytes/2", 0);
  sl_run(ctx);
  expect_dns_error(nx, "no such name");
  expect_dns_error(sf, "server failure");
  expect_dns_error(slow, "timeout");
  assert_true(ev_time() - t0 < 2.0); /* 2 tries x 200 ms, then given up */
  assert_int_equal(sl_task_state(ok), SL_DONE);
  sl_task_free(nx);
  sl_task_free(sf);
  sl_task_free(slow);
  sl_task_free(ok);
  sl_ctx_free(ctx);
}

static void test_deadline_covers_resolution(void **state)
{
  sl_ctx *ctx = dns_ctx(0, 5000);
  const struct sl_error *e;
  double t0 = ev_time(), took;
  sl_task *t;
  (void)state;
  t = get(ctx, "slow.test", "/", 300);
  sl_task_wait(t);
  took = ev_time() - t0;
  sl_task_error(t, &e);
  assert_int_equal(e->kind, SL_ERR_TIMEOUT);
  assert_true(took >= 0.29 && took < 1.0);
  sl_task_free(t);
  sl_ctx_free(ctx);
}

/* Keys by site and by address: www.a.test and img.a.test are one site
   (a.test, whatever the port), and all three names one address, so with
   two transfers per key the server never sees more than two at once
   (by host name it would see two per name). */
static void test_politeness_by_site_and_address(void **state)
{
  static const char *names[] = {"www.a.test", "img.a.test", "b.test"};
  for(int mode = 0; mode < 2; mode++) {
    struct sl_options o = {0};
    struct fixture_counters c;
    struct seen s = {0};
    sl_ctx *ctx;
    sl_task *probe;
    (void)state;
    assert_int_equal(fixture_reset(&fx), 0);
    o.max_concurrency = 64;
    o.per_host = 2;
    o.dns_servers = fx.dns_server;
    o.politeness = mode ? SL_POLITE_IP : SL_POLITE_DOMAIN;
    ctx = sl_ctx_new(&o);
    assert_non_null(ctx);
    probe = get(ctx, "img.a.test", "/bytes/1", 0);
    for(int n = 0; n < (mode ? 3 : 2); n++)
      for(int i = 0; i < 10; i++)
        sl_task_on_done(get(ctx, names[n], "/delay/30", 0), on_done, &s);
    sl_run(ctx);
    assert_int_equal(s.done, mode ? 30 : 20);
    assert_int_equal(fixture_stats(&fx, NULL, &c), 0);
    assert_int_equal(c.max_in_flight, 2);
    assert_string_equal(sl_task_host_key(probe),
                        mode ? "127.0.0.1" : "a.test");
    sl_task_free(probe);
    sl_ctx_free(ctx);
  }
}

static void cancel_later(void *ud)
{
  sl_task_cancel(ud, "no longer wanted");
}

/* A task waiting on a name that does not answer is cancelled: the
   lookup goes on inside c-ares (its socket and timer stay), but nothing
   of it keeps a caller's loop running once no task is live. */
static void test_cancelled_lookup_lets_loop_end(void **state)
{
  struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
  struct sl_options o = {0};
  sl_ctx *ctx;
  sl_task *t;
  double t0;
  (void)state;
  o.loop = loop;
  o.dns_servers = fx.dns_server;
  o.dns_timeout_ms = 2000;
  ctx = sl_ctx_new(&o);
  assert_non_null(ctx);
  t = get(ctx, "slow.test", "/", 0);
  assert_non_null(sl_call_later(ctx, 50, cancel_later, t));
  t0 = ev_time();
  ev_run(loop, 0);
  assert_true(ev_time() - t0 < 0.5); /* the lookup alone would take 4 s */
  assert_int_equal(sl_task_state(t), SL_CANCELLED);
  sl_task_free(t);
  sl_ctx_free(ctx);
  ev_loop_destroy(loop);
}

static void test_hosts_file_and_fixed_answers(void **state)
{
  struct sl_options o = {0};
  char fixed[128];
  const char *resolve[] = {fixed, NULL};
  sl_ctx *ctx;
  sl_task *local, *pinned;
  (void)state;
  snprintf(fixed, sizeof(fixed), "pinned.example:%d:127.0.0.1", fx.port);
  o.dns_servers = "127.0.0.1:9"; /* nothing answers there */
  o.dns_timeout_ms = 200;
  o.resolve = resolve;
  ctx = sl_ctx_new(&o);
  assert_non_null(ctx);
  local = get(ctx, "localhost", "/bytes/3", 5000);
  pinned = get(ctx, "pinned.example", "/bytes/4", 5000);
  sl_run(ctx);
  assert_int_equal(sl_task_state(local), SL_DONE); /* /etc/hosts */
  assert_int_equal(sl_task_state(pinned), SL_DONE);
  sl_task_free(local);
  sl_task_free(pinned);
  sl_ctx_free(ctx);
  /* bad fixed answers are errors at creation */
  resolve[0] = "nocolon";
  assert_null(sl_ctx_new(&o));
}

/* sl_ctx_new with these dns_servers: 0 when it made a context (freed
   here at once), else its errno (-1 for none). */
static int ctx_new_errno(const char *servers)
{
  struct sl_options o = {0};
  sl_ctx *ctx;
  o.dns_servers = servers;
  o.quiet = true;
  errno = 0;
  ctx = sl_ctx_new(&o);
  if(!ctx)
    return errno ? errno : -1;
  sl_ctx_free(ctx);
  return 0;
}

/* ctx_new_errno's answer in words. */
static const char *outcome(int e)
{
  return e > 0 ? strerror(e) : e ? "NULL, errno 0" : "a context";
}

/* So are servers that do not parse as c-ares's "ADDR[:PORT],..." list
   (EINVAL); "" names none, and the system's are used. */
static void test_dns_servers_are_checked(void **state)
{
  static const struct {
    const char *servers;
    int want; /* errno, 0 = a context */
  } cases[] = {
      {"not an address", EINVAL},
      {"1.2.3.4:99999", EINVAL},
      {"[zz::1]", EINVAL},
      {"", 0},
      {"127.0.0.1", 0},
      {"127.0.0.1:5353", 0},
      {"[::1]:53", 0},
      {"127.0.0.1,127.0.0.2:54", 0},
  };
  int wrong = 0;
  (void)state;
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int e = ctx_new_errno(cases[i].servers);
    if(e != cases[i].want) {
      print_message("dns_servers \"%s\": %s, want %s\n", cases[i].servers,
                    outcome(e), outcome(cases[i].want));
      wrong++;
    }
  }
  assert_int_equal(wrong, 0);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_per_host_keys_on_names),
      cmocka_unit_test(test_one_query_per_ttl),
      cmocka_unit_test(test_dns_failures_and_the_run_goes_on),
      cmocka_unit_test(test_deadline_covers_resolution),
      cmocka_unit_test(test_cancelled_lookup_lets_loop_end),
      cmocka_unit_test(test_politeness_by_site_and_address),
      cmocka_unit_test(test_hosts_file_and_fixed_answers),
      cmocka_unit_test(test_dns_servers_are_checked),
  };
  static const struct harness h = {.fx = &fx, .dns_args = zone};
  return harness_main(argc, argv, tests, &h);
}
