/*
 * harness.c - the integration tests' shared plumbing.  See harness.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <ev.h>

#include "harness.h"

static const char *fixture_bin;
static const struct harness *group; /* what harness_init was given */

int harness_init(int argc, char **argv, const struct harness *h)
{
  if(argc < 2 || !h || !h->fx) {
    fprintf(stderr, "usage: %s SLUICE_FIXTURE\n", argv[0]);
    return -1;
  }
  fixture_bin = argv[1];
  group = h;
  return 0;
}

static int fixture_count(void)
{
  return group->fixtures > 0 ? group->fixtures : 1;
}

static void raise_nofile(void)
{
  struct rlimit rl;
  if(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

int harness_setup(void **state)
{
  (void)state;
  if(!group)
    return -1; /* harness_init was not called */
  if(group->raise_nofile)
    raise_nofile();
  for(int i = 0; i < fixture_count(); i++) {
    if(fixture_start_dns(&group->fx[i], fixture_bin, HARNESS_FIXTURE_LIFETIME,
                         group->dns_args)) {
      while(i--)
        fixture_stop(&group->fx[i]);
      return -1;
    }
  }
  return 0;
}

int harness_teardown(void **state)
{
  int rc = 0;
  (void)state;
  for(int i = 0; i < fixture_count(); i++)
    if(fixture_stop(&group->fx[i]) != 0)
      rc = -1;
  return rc;
}

sl_ctx *harness_ctx(unsigned max_concurrency)
{
  struct sl_options o = {0};
  sl_ctx *ctx;
  o.max_concurrency = max_concurrency;
  o.quiet = group->quiet;
  ctx = sl_ctx_new(&o);
  assert_non_null(ctx);
  return ctx;
}

struct sl_request harness_req(const char *path, unsigned flags)
{
  struct sl_request r = {0};
  r.url = fixture_url(&group->fx[0], path);
  r.flags = flags;
  return r;
}

sl_task *harness_get(sl_ctx *ctx, const char *path, unsigned flags)
{
  struct sl_request r = harness_req(path, flags);
  return sl_fetch(ctx, &r);
}

sl_task *harness_group_get(sl_group *g, const char *path, unsigned flags)
{
  struct sl_request r = harness_req(path, flags);
  return sl_group_fetch(g, &r);
}

sl_task *harness_fetch(sl_ctx *ctx, const char *url, long timeout_ms)
{
  struct sl_request r = {0};
  r.url = url;
  r.timeout_ms = timeout_ms;
  return sl_fetch(ctx, &r);
}

void harness_free_task(sl_task *t, void *ud)
{
  (void)ud;
  sl_task_free(t);
}

bool harness_timed(void)
{
  const char *v = getenv("SLUICE_TEST_VALGRIND");
  return v == NULL || *v == '\0';
}

void harness_hang(sl_ctx *ctx, sl_task **t, int n)
{
  struct fixture *fx = &group->fx[0];
  struct fixture_counters c = {0};
  for(int i = 0; i < n; i++)
    t[i] = harness_get(ctx, "/hang", 0);
  for(int tries = 0; tries < 1000; tries++) {
    ev_run(sl_ctx_loop(ctx), EVRUN_NOWAIT);
    if(tries % 20 == 19 && fixture_stats(fx, fx->host, &c) == 0 &&
       c.in_flight == n)
      break;
  }
  assert_int_equal(c.in_flight, n);
}

void harness_assert_none_in_flight(void)
{
  struct fixture *fx = &group->fx[0];
  struct fixture_counters c = {0};
  for(int tries = 0; tries < 200; tries++) {
    assert_int_equal(fixture_stats(fx, fx->host, &c), 0);
    if(c.in_flight == 0)
      break;
    usleep(10000);
  }
  assert_int_equal(c.in_flight, 0);
}

void harness_assert_priority_order(const struct fixture *fx,
                                   const char *prefix, long n)
{
  static char paths[4096][FIXTURE_PATH_MAX];
  int last_p = INT_MIN, last_i = -1;
  assert_true(n <= 4096);
  assert_int_equal(fixture_paths(fx, prefix, paths, 4096), n);
  for(long k = 0; k < n; k++) {
    const char *q = strstr(paths[k], "p=");
    int p, i;
    assert_non_null(q);
    assert_int_equal(sscanf(q, "p=%d&i=%d", &p, &i), 2);
    assert_true(p > last_p || (p == last_p && i > last_i));
    last_p = p;
    last_i = i;
  }
}
