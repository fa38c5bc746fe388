/*
 * test_bucket.c - the token bucket of limits/ and its rate parser, on a
 * fake clock: even spacing, exactness over a million tokens, bursts, the
 * one-second window bound, clock jumps both ways.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "limits/bucket.h"
#include "limits/ns.h"
#include "limits/rate.h"

#define SEC SL_NS_PER_SEC
#define MS  SL_NS_PER_MS

/* an epoch-sized start, to catch overflow */
static const int64_t T0 = INT64_C(1700000000) * SL_NS_PER_SEC + 123;

static struct sl_rate rate_of(const char *s)
{
  struct sl_rate r = {0, 0};
  const char *why = NULL;
  assert_true(sl_rate_parse(s, &r, &why));
  return r;
}

static void init(struct sl_bucket *b, const char *rate, unsigned burst,
                 int64_t now)
{
  struct sl_rate r = rate_of(rate);
  assert_true(sl_bucket_init(b, &r, burst, now));
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
  while(b) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

static void test_parse(void **state)
{
  static const struct {
    const char *s;
    uint64_t count;
    int64_t period;
  } ok[] = {
      {"100/s", 100, SEC},    {"600/m", 10, SEC},
      {"3600/h", 1, SEC},     {"5/s", 5, SEC},
      {"0.5/s", 1, 2 * SEC},  {"1.5/m", 1, 40 * SEC},
      {"7/h", 7, 3600 * SEC}, {"0.000001/s", 1, 1000000 * SEC},
      {"1000000000/s", 1, 1}, {"2.000000/s", 2, SEC},
      {"007/s", 7, SEC},
  };
  static const char *const bad[] = {
      "",      "s",           "/s",           "10",
      "10/",   "10/x",        "10/sec",       "10/S",
      "-1/s",  "+1/s",        " 1/s",         "1/s ",
      "1 /s",  "1e3/s",       ".5/s",         "1./s",
      "0/s",   "0.0/s",       "1/s/s",        "0x10/s",
      "1,5/s", "1.0000001/s", "1000000001/s", "99999999999999999999/s",
  };
  size_t i;
  (void)state;
  for(i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    struct sl_rate r = rate_of(ok[i].s);
    /* the same fraction, in lowest terms */
    assert_int_equal(r.count * (uint64_t)ok[i].period,
                     ok[i].count * (uint64_t)r.period);
    assert_int_equal(gcd(r.count, (uint64_t)r.period), 1);
  }
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct sl_rate r = {42, 42};
    const char *why = NULL;
    assert_false(sl_rate_parse(bad[i], &r, &why));
    assert_non_null(why);
    assert_true(strlen(why) > 10);
    assert_int_equal(r.count, 42); /* left alone */
    assert_int_equal(r.period, 42);
  }
  {
    const char *why = NULL;
    struct sl_rate r;
    assert_false(sl_rate_parse(NULL, &r, &why));
    assert_non_null(why);
    assert_false(sl_rate_parse("0/s", &r, &why));
    assert_string_equal(why, "rate must be greater than zero");
    assert_true(sl_rate_parse("1/s", &r, NULL));
  }
}

static void test_rate_set(void **state)
{
  struct sl_rate r = {0, 0};
  (void)state;
  assert_true(sl_rate_set(&r, 50, 2 * SEC));
  assert_int_equal(r.count, 1);
  assert_int_equal(r.period, 40 * MS);
  assert_true(sl_rate_set(&r, 3, SEC));
  assert_int_equal(r.count, 3);
  assert_int_equal(r.period, SEC);
  assert_false(sl_rate_set(&r, 0, SEC));
  assert_false(sl_rate_set(&r, 1, 0));
  assert_false(sl_rate_set(&r, 1, -SEC));
  assert_false(sl_rate_set(&r, 1, SL_RATE_MAX_INTERVAL + 1));
  assert_true(sl_rate_set(&r, 2, 2 * SL_RATE_MAX_INTERVAL));
}

static void test_init_invalid(void **state)
{
  struct sl_bucket b;
  struct sl_rate r = {0, SEC};
  (void)state;
  assert_false(sl_bucket_init(&b, &r, 1, 0));
  assert_false(sl_bucket_init(&b, NULL, 1, 0));
  r.count = 1;
  r.period = -1;
  assert_false(sl_bucket_init(&b, &r, 1, 0));
  /* burst * T beyond 73 years */
  r.period = 3600 * SEC;
  assert_false(sl_bucket_init(&b, &r, 700000, 0));
  assert_true(sl_bucket_init(&b, &r, 600000, 0));
  /* burst 0 means 1 */
  r.count = 1;
  r.period = SEC;
  assert_true(sl_bucket_init(&b, &r, 0, 0));
  assert_int_equal(b.burst, 1);
}

/* 50/s, burst 1: admissions every 20 ms exactly; the 200th is 3.98 s
   after the first. */
static void test_even_spacing(void **state)
{
  struct sl_bucket b;
  int64_t now = T0, first = 0;
  int i;
  (void)state;
  init(&b, "50/s", 1, T0);
  for(i = 0; i < 200; i++) {
    now = sl_bucket_next_at(&b, now);
    if(!i)
      first = now;
    assert_int_equal(now, first + i * 20 * MS);
    assert_true(sl_bucket_take(&b, now));
    assert_false(sl_bucket_take(&b, now));
    assert_int_equal(sl_bucket_next_at(&b, now), now + 20 * MS);
  }
  assert_int_equal(first, T0);
  assert_int_equal(now - first, 3980 * MS);
}

/* A caller that always wakes at next_at: the k-th admission (from 0) is at
   exactly start + ceil(k * period / count), for a million tokens. */
static void exact_run(const char *rate, int64_t start)
{
  struct sl_bucket b;
  struct sl_rate r = rate_of(rate);
  int64_t now = start, k;
  init(&b, rate, 1, start);
  for(k = 0; k < 1000000; k++) {
    int64_t num = k * r.period; /* < 2^63 for the rates used */
    int64_t want =
        start + num / (int64_t)r.count + (num % (int64_t)r.count ? 1 : 0);
    now = sl_bucket_next_at(&b, now);
    if(now != want)
      fail_msg("%s: token %lld at %lld, want %lld", rate, (long long)k,
               (long long)(now - start), (long long)(want - start));
    if(k && sl_bucket_take(&b, now - 1))
      fail_msg("%s: token %lld early", rate, (long long)k);
    assert_true(sl_bucket_take(&b, now));
  }
}

static void test_exact_long_run(void **state)
{
  (void)state;
  exact_run("3/s", T0);         /* T = 333333333.33 ns */
  exact_run("7/h", 0);          /* T = 514285714285.71 ns */
  exact_run("0.7/m", 0);        /* T = 85714285714.29 ns */
  exact_run("1000000/s", -SEC); /* T = 1000 ns */
  exact_run("999999/s", 5);     /* T = 1000.001 ns */
}

/* Late takers.  At 50/s (T = 20 ms) a taker 5 ms late gets one token
   and the next stays on schedule; one 15 ms late (more than T / 2)
   moves the schedule, so two requests are never closer than T / 2; one
   more than T late finds a full bucket.  At 2000/s (T = 0.5 ms, under
   SL_BUCKET_SLACK) a taker at 2 ms gets the 4 tokens due meanwhile at
   once; 4.5 ms late, the tokens older than the slack are gone. */
static void test_late_takers(void **state)
{
  struct sl_bucket b;
  int i;
  (void)state;
  init(&b, "50/s", 1, T0);
  assert_true(sl_bucket_take(&b, T0));
  assert_true(sl_bucket_take(&b, T0 + 25 * MS));
  assert_false(sl_bucket_take(&b, T0 + 25 * MS));
  assert_int_equal(sl_bucket_next_at(&b, T0 + 25 * MS), T0 + 40 * MS);
  assert_true(sl_bucket_take(&b, T0 + 55 * MS)); /* 15 ms late */
  assert_int_equal(sl_bucket_next_at(&b, T0 + 55 * MS), T0 + 75 * MS);
  init(&b, "50/s", 1, T0);
  assert_true(sl_bucket_take(&b, T0));
  assert_true(sl_bucket_take(&b, T0 + 50 * MS)); /* 30 ms late */
  assert_int_equal(sl_bucket_next_at(&b, T0 + 50 * MS), T0 + 70 * MS);

  init(&b, "2000/s", 1, T0);
  assert_true(sl_bucket_take(&b, T0));
  for(i = 0; i < 4; i++) /* due at 0.5, 1.0, 1.5 and 2.0 ms */
    assert_true(sl_bucket_take(&b, T0 + 2 * MS));
  assert_false(sl_bucket_take(&b, T0 + 2 * MS));
  assert_int_equal(sl_bucket_next_at(&b, T0 + 2 * MS), T0 + 2 * MS + MS / 2);

  init(&b, "2000/s", 1, T0);
  assert_true(sl_bucket_take(&b, T0));
  /* tat = 0.5 ms; at 5 ms it is 4.5 ms old, beyond the 2 ms slack */
  assert_true(sl_bucket_take(&b, T0 + 5 * MS));
  assert_false(sl_bucket_take(&b, T0 + 5 * MS));
  /* a quiet bucket never saves up more than the slack's worth */
  init(&b, "2000/s", 1, T0);
  for(i = 0; sl_bucket_take(&b, T0 + SEC); i++)
    ;
  assert_int_equal(i, 1);
}

static void test_burst(void **state)
{
  struct sl_bucket b;
  int64_t now = T0;
  int i;
  (void)state;
  init(&b, "10/s", 5, T0);
  for(i = 0; i < 5; i++)
    assert_true(sl_bucket_take(&b, T0));
  assert_false(sl_bucket_take(&b, T0));
  /* then one every 100 ms */
  for(i = 1; i <= 20; i++) {
    now = sl_bucket_next_at(&b, now);
    assert_int_equal(now, T0 + i * 100 * MS);
    assert_true(sl_bucket_take(&b, now));
    assert_false(sl_bucket_take(&b, now));
  }
  /* idle for a long time: full again, but only 5 */
  now += 3600 * SEC;
  assert_int_equal(sl_bucket_full_at(&b, now), now);
  for(i = 0; i < 5; i++)
    assert_true(sl_bucket_take(&b, now));
  assert_false(sl_bucket_take(&b, now));
  /* partial refill: after 250 ms, 2 tokens */
  now += 250 * MS;
  assert_true(sl_bucket_take(&b, now));
  assert_true(sl_bucket_take(&b, now));
  assert_false(sl_bucket_take(&b, now));
  assert_int_equal(sl_bucket_next_at(&b, now), now + 50 * MS);
}

static uint64_t lcg(uint64_t *s)
{
  *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
  return *s >> 33;
}

/* Greedy callers, some polling at random times, some waking at next_at:
   no closed one-second window holds more than rate + burst admissions. */
static void window_check(const char *rate, unsigned burst, int max_in_1s,
                         bool random_polls)
{
  static int64_t at[4000];
  struct sl_bucket b;
  uint64_t seed = 12345;
  int64_t now = T0;
  size_t n = 0, i, j = 0;
  init(&b, rate, burst, T0);
  while(n < sizeof(at) / sizeof(at[0])) {
    if(random_polls)
      now += (int64_t)(lcg(&seed) % (uint64_t)(30 * MS));
    else
      now = sl_bucket_next_at(&b, now);
    while(n < sizeof(at) / sizeof(at[0]) && sl_bucket_take(&b, now))
      at[n++] = now;
    /* once in a while, go idle so the bucket refills */
    if(random_polls && lcg(&seed) % 500 == 0)
      now += (int64_t)(lcg(&seed) % (uint64_t)(5 * SEC));
  }
  for(i = 0; i < n; i++) {
    /* admissions in [at[i], at[i] + 1 s] */
    if(j < i)
      j = i;
    while(j + 1 < n && at[j + 1] <= at[i] + SEC)
      j++;
    if((int)(j - i + 1) > max_in_1s)
      fail_msg("%s burst %u: %d in one second from %lld", rate, burst,
               (int)(j - i + 1), (long long)(at[i] - T0));
  }
}

static void test_window(void **state)
{
  (void)state;
  window_check("50/s", 1, 51, false);
  window_check("50/s", 1, 51, true);
  window_check("3/s", 4, 7, false);
  window_check("3/s", 4, 7, true);
  window_check("100/s", 10, 110, true);
  window_check("0.5/s", 2, 2, true);
  window_check("600/m", 1, 11, true);
}

static void test_clock_backward(void **state)
{
  struct sl_bucket b;
  int64_t now = 100 * SEC;
  (void)state;
  init(&b, "1/s", 1, now);
  assert_true(sl_bucket_take(&b, now));
  assert_int_equal(sl_bucket_next_at(&b, now + 400 * MS), now + SEC);
  /* at +400 ms the clock jumps back one hour: still 600 ms to wait, not
     an hour and 600 ms, and no token now */
  now = now + 400 * MS - 3600 * SEC;
  assert_false(sl_bucket_take(&b, now));
  assert_int_equal(sl_bucket_next_at(&b, now), now + 600 * MS);
  assert_true(sl_bucket_take(&b, now + 600 * MS));
  assert_false(sl_bucket_take(&b, now + 600 * MS));

  /* a full bucket stays full (burst 3), no more */
  init(&b, "1/s", 3, 100 * SEC);
  now = 50 * SEC;
  assert_true(sl_bucket_take(&b, now));
  assert_true(sl_bucket_take(&b, now));
  assert_true(sl_bucket_take(&b, now));
  assert_false(sl_bucket_take(&b, now));
  /* back again, by less than the debt */
  now -= 500 * MS;
  assert_int_equal(sl_bucket_next_at(&b, now), now + SEC);
  /* many small jumps back never add up to a burst */
  {
    int i;
    for(i = 0; i < 1000; i++) {
      now -= 10 * MS;
      assert_false(sl_bucket_take(&b, now));
    }
    assert_int_equal(sl_bucket_next_at(&b, now), now + SEC);
  }
}

static void test_clock_forward(void **state)
{
  struct sl_bucket b;
  int64_t now = 0;
  int i;
  (void)state;
  init(&b, "2/s", 4, now);
  for(i = 0; i < 4; i++)
    assert_true(sl_bucket_take(&b, now));
  assert_false(sl_bucket_take(&b, now));
  /* ten years later: a burst of 4, not 630 million */
  now += INT64_C(315360000) * SEC;
  for(i = 0; i < 4; i++)
    assert_true(sl_bucket_take(&b, now));
  assert_false(sl_bucket_take(&b, now));
  assert_int_equal(sl_bucket_next_at(&b, now), now + 500 * MS);
}

static void test_full_at(void **state)
{
  struct sl_bucket b;
  (void)state;
  init(&b, "4/s", 2, 0);
  assert_int_equal(sl_bucket_full_at(&b, 0), 0);
  assert_true(sl_bucket_take(&b, 0));
  assert_int_equal(sl_bucket_full_at(&b, 0), 250 * MS);
  assert_true(sl_bucket_take(&b, 0));
  assert_int_equal(sl_bucket_full_at(&b, 0), 500 * MS);
  assert_int_equal(sl_bucket_full_at(&b, 100 * MS), 500 * MS);
  assert_int_equal(sl_bucket_full_at(&b, 700 * MS), 700 * MS);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse),
      cmocka_unit_test(test_rate_set),
      cmocka_unit_test(test_init_invalid),
      cmocka_unit_test(test_even_spacing),
      cmocka_unit_test(test_exact_long_run),
      cmocka_unit_test(test_late_takers),
      cmocka_unit_test(test_burst),
      cmocka_unit_test(test_window),
      cmocka_unit_test(test_clock_backward),
      cmocka_unit_test(test_clock_forward),
      cmocka_unit_test(test_full_at),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
