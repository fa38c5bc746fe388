/*
 * test_size.c - cmd/size.c, --max-filesize's BYTES: the suffixes, the
 * limits, and a list of malformed values (the bytes come from the
 * command line).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmd/size.h"

static void test_good(void **state)
{
  static const struct {
    const char *s;
    uint64_t v;
  } cases[] = {
      {"0", 0},
      {"1", 1},
      {"1000", 1000},
      {"007", 7},
      {"1k", 1024},
      {"1K", 1024},
      {"3m", 3 << 20},
      {"3M", 3 << 20},
      {"2g", (uint64_t)2 << 30},
      {"2G", (uint64_t)2 << 30},
      {"4611686018427387904", (uint64_t)1 << 62},
      {"4194304G", (uint64_t)1 << 52},
      {"4294967296G", (uint64_t)1 << 62},
  };
  (void)state;
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    uint64_t v = 12345;
    assert_int_equal(size_parse(cases[i].s, &v), 0);
    assert_true(v == cases[i].v);
  }
}

static void test_bad(void **state)
{
  static const char *const bad[] = {
      "",
      "k",
      "-1",
      "+1",
      " 1",
      "1 ",
      "1.5",
      "1.5M",
      "1kb",
      "1KiB",
      "1T",
      "1e3",
      "0x10",
      "1kk",
      "1\n",
      "M1",
      "10 k",
      "1,000",
      "4611686018427387905",           /* one over 2^62 */
      "99999999999999999999999999999", /* would wrap */
      "4294967297G",                   /* over 2^62 once scaled */
      "18446744073709551616",          /* 2^64 */
  };
  (void)state;
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    uint64_t v = 99;
    assert_int_equal(size_parse(bad[i], &v), -1);
    assert_true(v == 99);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_good),
      cmocka_unit_test(test_bad),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
