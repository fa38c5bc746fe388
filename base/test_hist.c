/*
 * test_hist.c - base/hist: quantiles by nearest rank within 0.8 % of the
 * exact ones over spread and skewed data, exact for small values, min and
 * max exact, huge values clamped, empty histogram.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "base/hist.h"

static int cmp(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* The nearest-rank quantile of sorted v[0..n). */
static uint64_t exact(const uint64_t *v, size_t n, double q)
{
  size_t k = (size_t)(q * (double)n);
  if((double)k < q * (double)n || !k)
    k++;
  return v[k - 1];
}

static void check(uint64_t *v, size_t n)
{
  static const double qs[] = {0, 0.01, 0.5, 0.9, 0.99, 0.999, 1};
  struct sl_hist *h = malloc(sizeof(*h));
  assert_non_null(h);
  sl_hist_init(h);
  for(size_t i = 0; i < n; i++)
    sl_hist_add(h, v[i]);
  qsort(v, n, sizeof(*v), cmp);
  assert_int_equal(h->count, n);
  assert_int_equal(h->min, v[0]);
  assert_int_equal(h->max, v[n - 1]);
  for(size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
    uint64_t want = exact(v, n, qs[i]), got = sl_hist_quantile(h, qs[i]);
    if(got < want || (double)(got - want) > (double)want / 128.0 + 1e-9)
      fail_msg("q %.3f: got %llu, want %llu", qs[i], (unsigned long long)got,
               (unsigned long long)want);
  }
  free(h);
}

static void test_spread_and_skewed(void **state)
{
  enum { N = 100000 };
  uint64_t *v = malloc(N * sizeof(*v));
  uint64_t x = 88172645463325252u;
  (void)state;
  assert_non_null(v);
  for(size_t i = 0; i < N; i++)
    v[i] = i + 1;
  check(v, N);
  for(size_t i = 0; i < N; i++) { /* xorshift, spread over 2^0..2^40 */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    v[i] = (x >> (24 + x % 40)) + 1;
  }
  check(v, N);
  for(size_t i = 0; i < N; i++) /* a tail: 1 % very slow */
    v[i] = i % 100 ? 2000 + i % 7 : 3000000 + i;
  check(v, N);
  free(v);
}

static void test_small_exact_and_edges(void **state)
{
  struct sl_hist *h = malloc(sizeof(*h));
  (void)state;
  assert_non_null(h);
  sl_hist_init(h);
  assert_int_equal(sl_hist_quantile(h, 0.5), 0);
  for(uint64_t v = 0; v < 200; v++)
    sl_hist_add(h, v);
  assert_int_equal(sl_hist_quantile(h, 0.5), 99); /* below 256: exact */
  assert_int_equal(sl_hist_quantile(h, 0), 0);
  assert_int_equal(sl_hist_quantile(h, 2), 199); /* q clamped */
  sl_hist_add(h, UINT64_MAX);
  assert_true(h->max == UINT64_MAX);
  assert_true(h->sum == UINT64_MAX); /* saturated */
  assert_true(sl_hist_quantile(h, 1) == UINT64_MAX);
  free(h);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_spread_and_skewed),
      cmocka_unit_test(test_small_exact_and_edges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
