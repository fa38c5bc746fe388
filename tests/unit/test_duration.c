/*
 * test_duration.c - the command line's DUR parser (cmd/duration.c): the
 * forms it takes, what it refuses, and the rule that only a zero value
 * is 0 ms (a non-zero one under a millisecond is 1 ms), down to digits
 * past the precision it keeps (a fuzz finding: ".000000000000000001"
 * was 0, meaning "no limit").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmd/duration.h"

static long parse(const char *s)
{
  long ms = -1;
  return duration_parse(s, &ms) ? -2 : ms;
}

static void test_forms(void **state)
{
  (void)state;
  assert_int_equal(parse("250ms"), 250);
  assert_int_equal(parse("10s"), 10000);
  assert_int_equal(parse("2m"), 120000);
  assert_int_equal(parse("1h"), 3600000);
  assert_int_equal(parse("1.5"), 1500);
  assert_int_equal(parse(".5"), 500);
  assert_int_equal(parse("0"), 0);
  assert_int_equal(parse("0.000"), 0);
  assert_int_equal(parse("30d"), -2);
  assert_int_equal(parse(""), -2);
  assert_int_equal(parse("-1"), -2);
  assert_int_equal(parse("1e3"), -2);
  assert_int_equal(parse("ms"), -2);
  assert_int_equal(parse("721h"), -2); /* over 30 days */
}

static void test_tiny_is_not_zero(void **state)
{
  (void)state;
  assert_int_equal(parse("0.0001"), 1);
  assert_int_equal(parse("0.1ms"), 1);
  /* digits past the 15 decimals kept still make the value non-zero */
  assert_int_equal(parse(".000000000000000001"), 1);
  assert_int_equal(parse(".000000000000000001000000000055000005005"), 1);
  assert_int_equal(parse("0.0000000000000000000ms"), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_forms),
      cmocka_unit_test(test_tiny_is_not_zero),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
