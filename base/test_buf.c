/*
 * test_buf.c - base/buf and base/array: the NUL is always there, growth
 * keeps the contents, reset keeps or frees the memory, printf of long
 * text, offsets from push_str, and the overflow checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/array.h"
#include "base/buf.h"

static void test_append_grows_and_terminates(void **state)
{
  struct sl_buf b = {0};
  char big[1000];
  (void)state;
  assert_int_equal(sl_buf_append(&b, "", 0), 0);
  assert_non_null(b.p);
  assert_string_equal(b.p, "");
  assert_int_equal(sl_buf_puts(&b, "abc"), 0);
  assert_int_equal(b.len, 3);
  assert_string_equal(b.p, "abc");
  memset(big, 'x', sizeof(big));
  assert_int_equal(sl_buf_append(&b, big, sizeof(big)), 0);
  assert_int_equal(b.len, 1003);
  assert_true(b.cap > b.len);
  assert_int_equal(b.p[b.len], '\0');
  assert_memory_equal(b.p, "abcxxx", 6);
  sl_buf_free(&b);
  assert_null(b.p);
  sl_buf_free(NULL);
}

static void test_printf(void **state)
{
  struct sl_buf b = {0};
  char big[600];
  (void)state;
  assert_int_equal(sl_buf_printf(&b, "%d-%s", 42, "x"), 0);
  assert_string_equal(b.p, "42-x");
  memset(big, 'y', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  /* longer than the first try's free space */
  assert_int_equal(sl_buf_printf(&b, "[%s]", big), 0);
  assert_int_equal(b.len, 4 + 2 + sizeof(big) - 1);
  assert_int_equal(b.p[b.len - 1], ']');
  assert_int_equal(b.p[b.len], '\0');
  sl_buf_free(&b);
}

static void test_push_str_offsets(void **state)
{
  struct sl_buf b = {0};
  long a, c;
  char big[3000];
  (void)state;
  a = sl_buf_push_str(&b, "first");
  memset(big, 'z', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  c = sl_buf_push_str(&b, big);
  assert_int_equal(a, 0);
  assert_int_equal(c, 6);
  /* offsets survive the buffer moving */
  assert_string_equal(b.p + a, "first");
  assert_int_equal(strlen(b.p + c), sizeof(big) - 1);
  sl_buf_free(&b);
}

static void test_reset_keep_and_truncate(void **state)
{
  struct sl_buf b = {0};
  char *p;
  (void)state;
  assert_int_equal(sl_buf_puts(&b, "hello world"), 0);
  sl_buf_truncate(&b, 5);
  assert_string_equal(b.p, "hello");
  sl_buf_truncate(&b, 50); /* longer: no change */
  assert_int_equal(b.len, 5);
  p = b.p;
  sl_buf_reset(&b, 4096); /* small: memory kept */
  assert_ptr_equal(b.p, p);
  assert_int_equal(b.len, 0);
  assert_string_equal(b.p, "");
  sl_buf_reset(&b, 8); /* larger than keep: freed */
  assert_null(b.p);
  assert_int_equal(b.cap, 0);
  assert_int_equal(sl_buf_puts(&b, "again"), 0);
  assert_string_equal(b.p, "again");
  sl_buf_free(&b);
}

static void test_put_reserved(void **state)
{
  struct sl_buf b = {0};
  (void)state;
  assert_int_equal(sl_buf_reserve(&b, 10), 0);
  sl_buf_put(&b, "0123456789", 10);
  sl_buf_terminate(&b);
  assert_string_equal(b.p, "0123456789");
  assert_int_equal(sl_buf_reserve(&b, SIZE_MAX), -1);
  assert_int_equal(sl_buf_reserve(&b, SIZE_MAX - 5), -1);
  assert_string_equal(b.p, "0123456789");
  sl_buf_free(&b);
}

static void test_array_reserve(void **state)
{
  long *v = NULL;
  size_t cap = 0;
  (void)state;
  assert_int_equal(sl_array_reserve(v, cap, 1, 4), 0);
  assert_int_equal(cap, 4);
  v[0] = 7;
  assert_int_equal(sl_array_reserve(v, cap, 4, 4), 0);
  assert_int_equal(cap, 4); /* enough: untouched */
  assert_int_equal(sl_array_reserve(v, cap, 5, 4), 0);
  assert_int_equal(cap, 8);
  assert_int_equal(v[0], 7);
  assert_int_equal(sl_array_reserve(v, cap, 100, 4), 0);
  assert_int_equal(cap, 128);
  /* overflow: refused, array kept */
  assert_int_equal(sl_array_reserve(v, cap, SIZE_MAX / 4, 4), -1);
  assert_int_equal(cap, 128);
  assert_int_equal(v[0], 7);
  free(v);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_append_grows_and_terminates),
      cmocka_unit_test(test_printf),
      cmocka_unit_test(test_push_str_offsets),
      cmocka_unit_test(test_reset_keep_and_truncate),
      cmocka_unit_test(test_put_reserved),
      cmocka_unit_test(test_array_reserve),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
