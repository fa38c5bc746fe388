/*
 * test_hosts.c - the per-host table of limits/: one entry per host:port,
 * freed once forgettable (bounded memory over a million hosts), kept
 * while its rate, bandwidth debt or pause still matters, pauses,
 * admission helpers, and out-of-memory.  Allocations go through cmocka's
 * test_malloc, so a leak fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "limits/hosts.h"
#include "limits/ns.h"

#define SEC SL_NS_PER_SEC
#define MS  SL_NS_PER_MS

/* live allocations and their high-water mark; fail_after > 0 makes the
   fail_after-th allocation from now fail */
static size_t live, peak, nallocs;
static long fail_after;

static void *t_malloc(size_t n)
{
  size_t *p;
  if(fail_after > 0 && --fail_after == 0)
    return NULL;
  p = test_malloc(n + sizeof(size_t));
  *p = n;
  live += n;
  nallocs++;
  if(live > peak)
    peak = live;
  return p + 1;
}

static void t_free(void *q)
{
  size_t *p = (size_t *)q - 1;
  live -= *p;
  test_free(p);
}

static int setup(void **state)
{
  (void)state;
  live = peak = nallocs = 0;
  fail_after = 0;
  return 0;
}

static void config(struct sl_hosts_config *c)
{
  sl_hosts_config_init(c);
  c->alloc.malloc_fn = t_malloc;
  c->alloc.free_fn = t_free;
  c->seed = 42;
}

static void test_defaults(void **state)
{
  struct sl_hosts t;
  struct sl_hosts_config c;
  struct sl_host *a, *b, *a2, *p;
  (void)state;
  config(&c);
  assert_true(sl_hosts_init(&t, &c));
  a = sl_hosts_get(&t, "A.Test", 443, 0);
  assert_non_null(a);
  assert_string_equal(sl_host_key(a), "a.test:443");
  assert_int_equal(a->sem.limit, 6);
  assert_false(a->has_bucket);
  assert_int_equal(a->users, 1);
  a2 = sl_hosts_get(&t, "a.TEST", 443, 0);
  assert_ptr_equal(a, a2);
  assert_int_equal(a->users, 2);
  b = sl_hosts_get(&t, "a.test", 80, 0);
  assert_ptr_not_equal(a, b);
  assert_string_equal(sl_host_key(b), "a.test:80");
  p = sl_hosts_get(&t, "[::1]", 0, 0);
  assert_string_equal(sl_host_key(p), "[::1]:0");
  assert_int_equal(t.table.count, 3);
  sl_hosts_put(&t, p, 0);
  sl_hosts_put(&t, b, 0);
  sl_hosts_put(&t, a, 0);
  assert_int_equal(t.table.count, 1);
  assert_int_equal(a2->users, 1);
  sl_hosts_put(&t, a2, 0);
  assert_int_equal(t.table.count, 0);
  assert_int_equal(t.idle.n, 0);
  sl_hosts_free(&t);
  assert_int_equal(live, 0);
}

static void test_invalid(void **state)
{
  struct sl_hosts t;
  struct sl_hosts_config c;
  char longname[SL_HOSTS_MAX_HOST + 2];
  (void)state;
  config(&c);
  c.max_conns = 0;
  assert_false(sl_hosts_init(&t, &c));
  config(&c);
  c.rate.count = 1; /* period 0 */
  assert_false(sl_hosts_init(&t, &c));
  config(&c);
  assert_true(sl_hosts_init(&t, &c));
  assert_null(sl_hosts_get(&t, NULL, 80, 0));
  assert_null(sl_hosts_get(&t, "", 80, 0));
  assert_null(sl_hosts_get(&t, "a.test", 65536, 0));
  memset(longname, 'x', sizeof(longname) - 1);
  longname[sizeof(longname) - 1] = '\0';
  assert_null(sl_hosts_get(&t, longname, 80, 0));
  longname[SL_HOSTS_MAX_HOST] = '\0';
  {
    struct sl_host *h = sl_hosts_get(&t, longname, 65535, 0);
    assert_non_null(h);
    assert_int_equal(strlen(sl_host_key(h)), SL_HOSTS_MAX_HOST + 6);
    sl_hosts_put(&t, h, 0);
  }
  assert_int_equal(t.table.count, 0);
  sl_hosts_free(&t);
  /* NULL config: the defaults, with malloc */
  assert_true(sl_hosts_init(&t, NULL));
  assert_int_equal(sl_hosts_get(&t, "x", 1, 0)->sem.limit, 6);
  sl_hosts_free(&t);
}

/* A million distinct hosts, each acquired and released in turn: the
   table never holds more than one entry and memory stays small. */
static void test_million_hosts(void **state)
{
  struct sl_hosts t;
  struct sl_hosts_config c;
  char name[32];
  int i;
  (void)state;
  config(&c);
  assert_true(sl_hosts_init(&t, &c));
  for(i = 0; i < 1000000; i++) {
    struct sl_host *h;
    int64_t now = (int64_t)i * MS;
    snprintf(name, sizeof(name), "h%d.test", i);
    h = sl_hosts_get(&t, name, 443, now);
    assert_non_null(h);
    assert_true(sl_sem_try_acquire(&h->sem));
    assert_null(sl_sem_release(&h->sem));
    sl_hosts_put(&t, h, now);
    assert_true(t.table.count <= 1);
  }
  assert_int_equal(t.table.count, 0);
  assert_true(peak < 4096);
  assert_int_equal(t.table.nslots, 16);
  sl_hosts_free(&t);
  assert_int_equal(live, 0);
}

/* With a per-host rate an entry must outlive its users until its bucket
   is full again (else the rate would be forgiven).  A million hosts at
   one per ms with a 1/s rate: about a thousand linger at any time. */
static void test_million_hosts_with_rate(void **state)
{
  struct sl_hosts t;
  struct sl_hosts_config c;
  char name[32];
  int i;
  int64_t now = 0;
  size_t most = 0;
  (void)state;
  config(&c);
  assert_true(sl_rate_parse("1/s", &c.rate, NULL));
  assert_true(sl_hosts_init(&t, &c));
  for(i = 0; i < 1000000; i++) {
    struct sl_host *h;
    now = (int64_t)i * MS;
    snprintf(name, sizeof(name), "h%d.test", i);
    h = sl_hosts_get(&t, name, 443, now);
    assert_non_null(h);
    assert_true(h->has_bucket);
    assert_true(sl_host_take(h, now));
    sl_hosts_put(&t, h, now);
    if(t.table.count > most)
      most = t.table.count;
  }
  assert_true(most <= 1001);
  assert_true(most >= 999);
  assert_true(t.table.nslots <= 2048);
  assert_true(peak < 1024 * 1024);
  sl_hosts_sweep(&t, now + SEC);
  assert_int_equal(t.table.count, 0);
  assert_int_equal(t.idle.n, 0);
  assert_int_equal(t.table.nslots, 16);
  assert_int_equal(t.idle.cap, 16);
  sl_hosts_free(&t);
  assert_int_equal(live, 0);
}

/* A host's bandwidth debt is not forgiven either: the entry lingers
   until its byte bucket is full again; each host has its own. */
static void test_bandwidth_remembered(void **state)
{
  struct sl_hosts t;
  struct sl_hosts_config c;
  struct sl_host *h, *other;
  (void)state;
  config(&c);
  c.bandwidth = 1000; /* bytes/s: a 50-byte bucket */
  assert_true(sl_hosts_init(&t, &c));
  h = sl_hosts_get(&t, "big.test", 80, 0);
  other = sl_hosts_get(&t, "other.test", 80, 0);
  assert_true(h->has_bw);
  sl_byterate_take(&h->bw, 0, 1050); /* 1000 owed */
  assert_int_equal(sl_byterate_next_at(&h->bw, 0), 1001 * MS);
  assert_int_equal(sl_byterate_next_at(&other->bw, 0), 0);
  sl_hosts_put(&t, other, 0);
  sl_hosts_put(&t, h, 0);
  assert_int_equal(t.table.count, 1); /* big.test lingers */
  h = sl_hosts_get(&t, "big.test", 80, 500 * MS);
  assert_int_equal(sl_byterate_next_at(&h->bw, 500 * MS), 1001 * MS);
  sl_hosts_put(&t, h, 500 * MS);
  sl_hosts_sweep(&t, 1050 * MS - 1); /* full 50 bytes after 1050 ms */
  assert_int_equal(t.table.count, 1);
  sl_hosts_sweep(&t, 1050 * MS);
  assert_int_equal(t.table.count, 0);
  sl_hosts_free(&t);
  assert_int_equal(live, 0);
  c.bandwidth = SL_BYTERATE_MAX + 1;
  assert_false(sl_hosts_init(&t, &c));
}

static void test_rate_remembered(void **state)
{
  struct sl_hosts t;
  struct sl_hosts_config c;
  struct sl_host *h;
  (void)state;
  config(&c);
  assert_true(sl_rate_parse("1/m", &c.rate, NULL));
  assert_true(sl_hosts_init(&t, &c));
  h = sl_hosts_get(&t, "slow.test", 80, 0);
  assert_int_equal(sl_host_ready_at(h, 0), 0);
  assert_true(sl_host_take(h, 0));
  assert_false(sl_host_take(h, 0));
  assert_int_equal(sl_host_ready_at(h, 0), 60 * SEC);
  sl_hosts_put(&t, h, SEC);
  assert_int_equal(t.table.count, 1); /* lingers: its bucket is not full */
  assert_int_equal(t.idle.n, 1);
  h = sl_hosts_get(&t, "slow.test", 80, 2 * SEC);
  assert_int_equal(t.idle.n, 0);
  assert_false(sl_host_take(h, 2 * SEC));
  assert_int_equal(sl_host_ready_at(h, 2 * SEC), 60 * SEC);
  sl_hosts_put(&t, h, 3 * SEC);
  sl_hosts_sweep(&t, 60 * SEC - 1);
  assert_int_equal(t.table.count, 1);
  sl_hosts_sweep(&t, 60 * SEC);
  assert_int_equal(t.table.count, 0);
  sl_hosts_free(&t);
  assert_int_equal(live, 0);
}

static void test_burst_per_host(void **state)
{
  struct sl_hosts t;
  struct sl_hosts_config c;
  struct sl_host *a, *b;
  (void)state;
  config(&c);
  assert_true(sl_rate_parse("2/s", &c.rate, NULL));
  c.burst = 3;
  c.max_conns = 2;
  assert_true(sl_hosts_init(&t, &c));
  a = sl_hosts_get(&t, "a.test", 80, 0);
  b = sl_hosts_get(&t, "b.test", 80, 0);
  assert_int_equal(a->sem.limit, 2);
  assert_true(sl_host_take(a, 0));
  assert_true(sl_host_take(a, 0));
  assert_true(sl_host_take(a, 0));
  assert_false(sl_host_take(a, 0));
  assert_true(sl_host_take(b, 0)); /* each host its own bucket */
  assert_int_equal(sl_host_ready_at(a, 0), 500 * MS);
  sl_hosts_put(&t, a, 0);
  sl_hosts_put(&t, b, 0);
  /* b lingers until 500 ms, a until 1.5 s */
  sl_hosts_sweep(&t, 500 * MS);
  assert_int_equal(t.table.count, 1);
  sl_hosts_sweep(&t, 1500 * MS);
  assert_int_equal(t.table.count, 0);
  sl_hosts_free(&t);
  assert_int_equal(live, 0);
}

static void test_pause(void **state)
{
  struct sl_hosts t;
  struct sl_hosts_config c;
  struct sl_host *h;
  int64_t now = 1000 * SEC;
  (void)state;
  config(&c);
  assert_true(sl_hosts_init(&t, &c));
  h = sl_hosts_get(&t, "busy.test", 443, now);
  assert_false(sl_host_paused(h, now));
  sl_host_pause_until(h, now + 30 * SEC, now);
  assert_true(sl_host_paused(h, now));
  /* the later of the two wins */
  sl_host_pause_until(h, now + 10 * SEC, now);
  assert_int_equal(sl_host_ready_at(h, now), now + 30 * SEC);
  sl_host_pause_until(h, now + 40 * SEC, now);
  assert_int_equal(sl_host_ready_at(h, now + SEC), now + 40 * SEC);
  assert_false(sl_host_take(h, now + SEC));
  /* a pause keeps the unused entry */
  sl_hosts_put(&t, h, now + SEC);
  assert_int_equal(t.table.count, 1);
  sl_hosts_sweep(&t, now + 39 * SEC);
  assert_int_equal(t.table.count, 1);
  h = sl_hosts_get(&t, "busy.test", 443, now + 39 * SEC);
  assert_true(sl_host_paused(h, now + 40 * SEC - 1));
  assert_false(sl_host_paused(h, now + 40 * SEC));
  assert_true(sl_host_take(h, now + 40 * SEC));
  /* a pause in the past is ignored */
  sl_host_pause_until(h, now, now + 41 * SEC);
  assert_false(sl_host_paused(h, now + 41 * SEC));
  sl_hosts_put(&t, h, now + 41 * SEC);
  assert_int_equal(t.table.count, 0);
  sl_hosts_free(&t);
  assert_int_equal(live, 0);
}

static void test_pause_clock_jumps(void **state)
{
  struct sl_hosts t;
  struct sl_host *h;
  int64_t now = 1000 * SEC;
  (void)state;
  assert_true(sl_hosts_init(&t, NULL));
  h = sl_hosts_get(&t, "j.test", 80, now);
  sl_host_pause_until(h, now + 10 * SEC, now);
  /* 4 s later the clock jumps back a day: 6 s left, not a day and 6 s */
  now += 4 * SEC;
  assert_true(sl_host_paused(h, now));
  now -= 86400 * SEC;
  assert_true(sl_host_paused(h, now));
  assert_int_equal(sl_host_ready_at(h, now), now + 6 * SEC);
  /* an ended pause does not come back when the clock goes back */
  now += 6 * SEC;
  assert_false(sl_host_paused(h, now));
  now -= 5 * SEC;
  assert_false(sl_host_paused(h, now));
  /* forward: simply over */
  sl_host_pause_until(h, now + 10 * SEC, now);
  assert_false(sl_host_paused(h, now + 3600 * SEC));
  sl_hosts_put(&t, h, now);
  sl_hosts_free(&t);
}

/* Many live entries: the table grows, every one stays reachable, and it
   shrinks back as they go. */
static void test_grow_shrink(void **state)
{
  enum { N = 20000 };
  static struct sl_host *hs[N];
  struct sl_hosts t;
  struct sl_hosts_config c;
  char name[32];
  int i;
  (void)state;
  config(&c);
  assert_true(sl_hosts_init(&t, &c));
  for(i = 0; i < N; i++) {
    snprintf(name, sizeof(name), "g%d.test", i);
    hs[i] = sl_hosts_get(&t, name, 80, 0);
    assert_non_null(hs[i]);
  }
  assert_int_equal(t.table.count, N);
  assert_true(t.table.nslots >= N);
  assert_true(t.idle.cap >= N);
  for(i = 0; i < N; i++) {
    snprintf(name, sizeof(name), "g%d.test", i);
    assert_ptr_equal(sl_hosts_get(&t, name, 80, 0), hs[i]);
    assert_int_equal(hs[i]->users, 2);
    sl_hosts_put(&t, hs[i], 0);
  }
  assert_int_equal(t.table.count, N);
  for(i = 0; i < N; i++)
    sl_hosts_put(&t, hs[i], 0);
  assert_int_equal(t.table.count, 0);
  assert_int_equal(t.table.nslots, 16);
  assert_int_equal(t.idle.cap, 16);
  sl_hosts_free(&t);
  assert_int_equal(live, 0);
}

/* Idle entries with different pause ends leave in the order of their
   ends, whatever the order they went idle in (the heap). */
static void test_idle_order(void **state)
{
  enum { N = 200 };
  struct sl_hosts t;
  struct sl_hosts_config c;
  char name[32];
  int i;
  (void)state;
  config(&c);
  assert_true(sl_hosts_init(&t, &c));
  for(i = 0; i < N; i++) {
    struct sl_host *h;
    snprintf(name, sizeof(name), "p%d.test", i);
    h = sl_hosts_get(&t, name, 80, 0);
    /* ends 1..N s, shuffled */
    sl_host_pause_until(h, (int64_t)((i * 37) % N + 1) * SEC, 0);
    sl_hosts_put(&t, h, 0);
  }
  /* take a few back out of the heap and return them */
  for(i = 0; i < N; i += 7) {
    struct sl_host *h;
    snprintf(name, sizeof(name), "p%d.test", i);
    h = sl_hosts_get(&t, name, 80, 0);
    assert_true(sl_host_paused(h, 0));
    sl_hosts_put(&t, h, 0);
  }
  assert_int_equal(t.idle.n, N);
  for(i = 1; i <= N; i++) {
    sl_hosts_sweep(&t, (int64_t)i * SEC - 1);
    assert_int_equal(t.table.count, N - i + 1);
    sl_hosts_sweep(&t, (int64_t)i * SEC);
    assert_int_equal(t.table.count, N - i);
  }
  sl_hosts_free(&t);
  assert_int_equal(live, 0);
}

/* A backward jump while an entry lingers: the sweep checks again and
   keeps it until its (moved) end. */
static void test_sweep_after_jump(void **state)
{
  struct sl_hosts t;
  struct sl_hosts_config c;
  struct sl_host *h;
  (void)state;
  config(&c);
  assert_true(sl_rate_parse("1/m", &c.rate, NULL));
  assert_true(sl_hosts_init(&t, &c));
  h = sl_hosts_get(&t, "a.test", 80, 100 * SEC);
  assert_true(sl_host_take(h, 100 * SEC));
  sl_hosts_put(&t, h, 100 * SEC); /* idle until 160 s */
  /* the clock jumps back 50 s: 60 s still owed, from 50 s */
  h = sl_hosts_get(&t, "a.test", 80, 50 * SEC);
  assert_int_equal(t.idle.n, 0);
  assert_int_equal(sl_host_ready_at(h, 50 * SEC), 110 * SEC);
  sl_hosts_put(&t, h, 50 * SEC);
  sl_hosts_sweep(&t, 110 * SEC - 1);
  assert_int_equal(t.table.count, 1);
  sl_hosts_sweep(&t, 110 * SEC);
  assert_int_equal(t.table.count, 0);
  sl_hosts_free(&t);
  assert_int_equal(live, 0);
}

/* Every allocation in turn fails: get returns NULL, nothing leaks, and
   the table keeps working. */
/* A pinned entry keeps limits of its own, used or not and past any idle
   time; a larger limit admits waiters; unpinned and unused, it goes. */
static void test_pinned_limits(void **state)
{
  struct sl_hosts t;
  struct sl_hosts_config c;
  struct sl_rate r;
  struct sl_sem_waiter w[3] = {{0}};
  struct sl_host *h, *u;
  (void)state;
  config(&c);
  c.max_conns = 1;
  assert_true(sl_hosts_init(&t, &c));
  assert_true(sl_rate_set(&r, 1, 5 * SEC));
  h = sl_hosts_pin(&t, "site.test", 9, 0);
  assert_non_null(h);
  assert_int_equal(h->users, 0);
  assert_null(sl_host_set_limits(&t, h, 0, &r, 0, 0));
  assert_true(h->has_bucket);
  assert_int_equal(h->sem.limit, 1);
  sl_hosts_sweep(&t, 3600 * SEC);
  assert_ptr_equal(sl_hosts_find(&t, "SITE.test"), h);
  u = sl_hosts_get_key(&t, "site.test", 9, 3600 * SEC);
  assert_ptr_equal(u, h);
  assert_true(sl_sem_try_acquire(&h->sem));
  sl_sem_enqueue(&h->sem, &w[0]);
  sl_sem_enqueue(&h->sem, &w[1]);
  sl_sem_enqueue(&h->sem, &w[2]);
  assert_ptr_equal(sl_host_set_limits(&t, h, 3, &r, 0, 3600 * SEC), &w[0]);
  assert_ptr_equal(sl_sem_next_admitted(&h->sem), &w[1]);
  assert_null(sl_sem_next_admitted(&h->sem));
  sl_sem_remove(&h->sem, &w[2]);
  for(int i = 0; i < 3; i++)
    assert_null(sl_sem_release(&h->sem));
  sl_hosts_put(&t, u, 3600 * SEC);
  assert_int_equal(t.table.count, 1);                /* pinned: kept */
  sl_host_set_limits(&t, h, 0, NULL, 0, 3600 * SEC); /* the table's again */
  assert_false(h->has_bucket);
  sl_hosts_unpin(&t, h, 3600 * SEC);
  assert_int_equal(t.table.count, 0);
  sl_hosts_free(&t);
  assert_int_equal(live, 0);
}

static void test_oom(void **state)
{
  long k;
  (void)state;
  for(k = 1; k < 60; k++) {
    struct sl_hosts t;
    struct sl_hosts_config c;
    char name[32];
    int i, got = 0;
    config(&c);
    fail_after = k;
    if(!sl_hosts_init(&t, &c)) {
      assert_true(k <= 2);
      assert_int_equal(live, 0);
      continue;
    }
    for(i = 0; i < 40; i++) {
      struct sl_host *h;
      snprintf(name, sizeof(name), "o%d.test", i);
      h = sl_hosts_get(&t, name, 80, 0);
      if(h)
        got++; /* keep it: the table grows */
    }
    assert_true(got >= 39);
    fail_after = 0;
    assert_int_equal(t.table.count, (size_t)got);
    assert_non_null(sl_hosts_get(&t, "after.test", 80, 0));
    sl_hosts_free(&t);
    assert_int_equal(live, 0);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_defaults, setup),
      cmocka_unit_test_setup(test_invalid, setup),
      cmocka_unit_test_setup(test_million_hosts, setup),
      cmocka_unit_test_setup(test_million_hosts_with_rate, setup),
      cmocka_unit_test_setup(test_rate_remembered, setup),
      cmocka_unit_test_setup(test_bandwidth_remembered, setup),
      cmocka_unit_test_setup(test_burst_per_host, setup),
      cmocka_unit_test_setup(test_pause, setup),
      cmocka_unit_test_setup(test_pause_clock_jumps, setup),
      cmocka_unit_test_setup(test_grow_shrink, setup),
      cmocka_unit_test_setup(test_idle_order, setup),
      cmocka_unit_test_setup(test_sweep_after_jump, setup),
      cmocka_unit_test_setup(test_pinned_limits, setup),
      cmocka_unit_test_setup(test_oom, setup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
