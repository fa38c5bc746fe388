/*
 * test_json.c - base/json: one escaping policy for every program: valid
 * UTF-8 passes, bad bytes become U+FFFD, quotes, backslashes, control
 * characters and DEL are escaped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/json.h"

static const char *esc(struct sl_buf *b, const char *s, size_t n)
{
  sl_buf_reset(b, SIZE_MAX);
  assert_int_equal(sl_json_string(b, s, n), 0);
  return b->p;
}

#define ESC(b, lit) esc((b), (lit), sizeof(lit) - 1)

static void test_plain_and_escapes(void **state)
{
  struct sl_buf b = {0};
  (void)state;
  assert_string_equal(ESC(&b, ""), "\"\"");
  assert_string_equal(ESC(&b, "http://a.test/x?y=1"),
                      "\"http://a.test/x?y=1\"");
  assert_string_equal(ESC(&b, "a\"b\\c"), "\"a\\\"b\\\\c\"");
  assert_string_equal(ESC(&b, "\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
  assert_string_equal(ESC(&b, "\x01\x1b[31m\x7f"),
                      "\"\\u0001\\u001b[31m\\u007f\"");
  assert_string_equal(ESC(&b, "a\0b"), "\"a\\u0000b\"");
  sl_buf_free(&b);
}

static void test_utf8(void **state)
{
  struct sl_buf b = {0};
  (void)state;
  /* valid sequences of 2, 3 and 4 bytes pass */
  assert_string_equal(ESC(&b, "b\xc3\xbc"
                              "cher \xe2\x82\xac \xf0\x9f\x98\x80"),
                      "\"b\xc3\xbc"
                      "cher \xe2\x82\xac \xf0\x9f\x98\x80\"");
  /* Latin-1, a lone continuation, overlong, surrogate, above U+10FFFF, a
     cut sequence: each bad byte is one U+FFFD */
  assert_string_equal(ESC(&b, "\xfc"), "\"\\ufffd\"");
  assert_string_equal(ESC(&b, "\x80x"), "\"\\ufffdx\"");
  assert_string_equal(ESC(&b, "\xc0\xaf"), "\"\\ufffd\\ufffd\"");
  assert_string_equal(ESC(&b, "\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
  assert_string_equal(ESC(&b, "\xf4\x90\x80\x80"),
                      "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
  assert_string_equal(ESC(&b, "\xe2\x82"), "\"\\ufffd\\ufffd\"");
  sl_buf_free(&b);
}

static void test_appends(void **state)
{
  struct sl_buf b = {0};
  (void)state;
  assert_int_equal(sl_buf_puts(&b, "{\"k\":"), 0);
  assert_int_equal(sl_json_string(&b, "v", 1), 0);
  assert_int_equal(sl_buf_puts(&b, "}"), 0);
  assert_string_equal(b.p, "{\"k\":\"v\"}");
  assert_int_equal(sl_json_string(&b, "x", SIZE_MAX / 2), -1);
  assert_string_equal(b.p, "{\"k\":\"v\"}");
  sl_buf_free(&b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plain_and_escapes),
      cmocka_unit_test(test_utf8),
      cmocka_unit_test(test_appends),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
