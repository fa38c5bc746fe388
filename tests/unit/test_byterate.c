/*
 * test_byterate.c - the byte-rate limiter of limits/ on a fake clock:
 * pieces through while the bucket is not empty, debt of one piece at
 * most, the window bounds over ten seconds with takers always waiting
 * (one and several), exactness of small rates over long runs, late
 * takers, clock jumps both ways, full_at, and huge values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "limits/byterate.h"
#include "limits/ns.h"

#define SEC   SL_NS_PER_SEC
#define MS    SL_NS_PER_MS
#define PIECE 16384 /* libcurl's largest write */

/* an epoch-sized start, to catch overflow */
static const int64_t T0 = INT64_C(1700000000) * SL_NS_PER_SEC + 123;

static void test_init(void **state)
{
  struct sl_byterate b;
  (void)state;
  assert_false(sl_byterate_init(&b, 0, 0, T0));
  assert_false(sl_byterate_init(&b, SL_BYTERATE_MAX + 1, 0, T0));
  assert_false(sl_byterate_init(&b, 1000, SL_BYTERATE_MAX + 1, T0));
  assert_true(sl_byterate_init(&b, 1000000, 0, T0));
  assert_int_equal(b.burst, 50000); /* 50 ms */
  assert_int_equal(sl_byterate_default_burst(10), 1);
  assert_int_equal(sl_byterate_next_at(&b, T0), T0); /* full */
}

/* A piece goes through while the bucket holds anything, and may take it
   into debt; the next waits until the debt is paid. */
static void test_debt(void **state)
{
  struct sl_byterate b;
  (void)state;
  assert_true(sl_byterate_init(&b, 1000, 100, T0)); /* 1 byte per ms */
  sl_byterate_take(&b, T0, 99);
  assert_int_equal(sl_byterate_next_at(&b, T0), T0); /* 1 byte left */
  sl_byterate_take(&b, T0, 500);                     /* 499 owed */
  /* 500 ms later 1 byte is in the bucket again */
  assert_int_equal(sl_byterate_next_at(&b, T0), T0 + 500 * MS);
  assert_int_equal(sl_byterate_next_at(&b, T0 + 499 * MS), T0 + 500 * MS);
  assert_int_equal(sl_byterate_next_at(&b, T0 + 500 * MS), T0 + 500 * MS);
}

/* Takers that always wait: each takes a piece as soon as next_at allows,
   woken `late` ns after it.  Returns the bytes let through in [T0, T0 +
   window]. */
static uint64_t drain(uint64_t rate, int takers, int64_t late, int64_t window)
{
  struct sl_byterate b;
  int64_t at[16];
  uint64_t total = 0;
  assert_true(sl_byterate_init(&b, rate, 0, T0));
  for(int i = 0; i < takers; i++)
    at[i] = T0;
  for(;;) {
    int k = 0;
    for(int i = 1; i < takers; i++)
      if(at[i] < at[k])
        k = i;
    if(at[k] > T0 + window)
      return total;
    if(sl_byterate_next_at(&b, at[k]) == at[k]) {
      sl_byterate_take(&b, at[k], PIECE);
      total += PIECE;
    } else {
      at[k] = sl_byterate_next_at(&b, at[k]) + late;
    }
  }
}

/* Over 10 s: at most burst + 10 R + one piece, and at least 10 R - burst -
   one piece, for one taker and several, on time or late. */
static void test_window(void **state)
{
  static const uint64_t rates[] = {100000, 1048576, 50000000};
  (void)state;
  for(size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
    uint64_t rate = rates[r], burst = sl_byterate_default_burst(rate);
    for(int takers = 1; takers <= 16; takers *= 4) {
      for(int64_t late = 0; late <= 3 * MS; late += 3 * MS) {
        uint64_t got = drain(rate, takers, late, 10 * SEC);
        assert_true(got <= burst + 10 * rate + PIECE);
        assert_true(got + burst + PIECE >= 10 * rate);
      }
    }
  }
}

/* 3 bytes a second is 3 bytes each second, with no drift over an hour. */
static void test_small_rate_exact(void **state)
{
  struct sl_byterate b;
  int64_t now = T0;
  uint64_t total = 0;
  (void)state;
  assert_true(sl_byterate_init(&b, 3, 1, T0));
  while(now <= T0 + 3600 * SEC) {
    if(sl_byterate_next_at(&b, now) == now) {
      sl_byterate_take(&b, now, 1);
      total++;
    }
    now = sl_byterate_next_at(&b, now);
  }
  assert_int_equal(total, 3 * 3600 + 1); /* the full bucket, then 3/s */
}

static void test_clock_backward(void **state)
{
  struct sl_byterate b;
  (void)state;
  assert_true(sl_byterate_init(&b, 1000, 10, T0));
  sl_byterate_take(&b, T0, 1010); /* 1000 owed: 1001 ms to go */
  assert_int_equal(sl_byterate_next_at(&b, T0), T0 + 1001 * MS);
  /* ten seconds back: the wait stays 1001 ms, not 11 s */
  assert_int_equal(sl_byterate_next_at(&b, T0 - 10 * SEC),
                   T0 - 10 * SEC + 1001 * MS);
}

static void test_clock_forward(void **state)
{
  struct sl_byterate b;
  (void)state;
  assert_true(sl_byterate_init(&b, 1000, 10, T0));
  sl_byterate_take(&b, T0, 10);
  /* a day later: full, but never more than the burst */
  sl_byterate_take(&b, T0 + 86400 * SEC, 10);
  assert_int_equal(sl_byterate_next_at(&b, T0 + 86400 * SEC),
                   T0 + 86400 * SEC + 1 * MS);
}

static void test_full_at(void **state)
{
  struct sl_byterate b;
  (void)state;
  assert_true(sl_byterate_init(&b, 1000, 100, T0));
  assert_int_equal(sl_byterate_full_at(&b, T0), T0);
  sl_byterate_take(&b, T0, 300); /* 200 owed, 100 to fill */
  assert_int_equal(sl_byterate_full_at(&b, T0), T0 + 300 * MS);
  assert_int_equal(sl_byterate_full_at(&b, T0 + 299 * MS), T0 + 300 * MS);
  assert_int_equal(sl_byterate_full_at(&b, T0 + 301 * MS), T0 + 301 * MS);
}

/* The largest rate and piece, the longest waits: no overflow. */
static void test_huge(void **state)
{
  struct sl_byterate b;
  (void)state;
  assert_true(sl_byterate_init(&b, SL_BYTERATE_MAX, 0, T0));
  sl_byterate_take(&b, T0, UINT64_MAX);
  assert_true(sl_byterate_next_at(&b, T0) > T0);
  assert_true(sl_byterate_next_at(&b, T0) <= T0 + 2 * SEC);
  assert_int_equal(sl_byterate_next_at(&b, T0 + 100 * SEC), T0 + 100 * SEC);
  assert_true(sl_byterate_init(&b, 1, 1, T0));
  sl_byterate_take(&b, T0, SL_BYTERATE_MAX);
  assert_int_equal(sl_byterate_next_at(&b, T0), SL_NS_NEVER);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_init),
      cmocka_unit_test(test_debt),
      cmocka_unit_test(test_window),
      cmocka_unit_test(test_small_rate_exact),
      cmocka_unit_test(test_clock_backward),
      cmocka_unit_test(test_clock_forward),
      cmocka_unit_test(test_full_at),
      cmocka_unit_test(test_huge),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
