/*
 * test_term.c - base/term: text from elsewhere cannot drive the terminal
 * (issue 16's terminal injection finding): escapes, OSC and CSI
 * sequences, bells, C1 controls raw and in UTF-8, bidi overrides and
 * bytes that are not UTF-8 come out as visible "\xHH"; printable UTF-8
 * stays; sl_term_printf keeps one final newline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/term.h"

static const char *esc(struct sl_buf *b, const char *s, size_t n)
{
  sl_buf_reset(b, SIZE_MAX);
  assert_int_equal(sl_term_escape(b, s, n), 0);
  return b->p ? b->p : "";
}

#define ESC(b, lit) esc((b), (lit), sizeof(lit) - 1)

static void test_controls(void **state)
{
  struct sl_buf b = {0};
  (void)state;
  assert_string_equal(ESC(&b, "http://a.test/x?y=1"), "http://a.test/x?y=1");
  assert_string_equal(ESC(&b, "\x1b]0;owned\x07"), "\\x1b]0;owned\\x07");
  assert_string_equal(ESC(&b, "a\x1b[2Jb"), "a\\x1b[2Jb");
  assert_string_equal(ESC(&b, "\t\r\n\x7f"), "\\x09\\x0d\\x0a\\x7f");
  assert_string_equal(ESC(&b, "a\0b"), "a\\x00b");
  /* C1: CSI as a raw byte and as UTF-8 (U+009B) */
  assert_string_equal(ESC(&b, "\x9b"
                              "2J"),
                      "\\x9b2J");
  assert_string_equal(ESC(&b, "\xc2\x9b"
                              "2J"),
                      "\\xc2\\x9b2J");
  /* U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE */
  assert_string_equal(ESC(&b, "x\xe2\x80\xaey\xe2\x81\xa6"),
                      "x\\xe2\\x80\\xaey\\xe2\\x81\\xa6");
  sl_buf_free(&b);
}

static void test_utf8(void **state)
{
  struct sl_buf b = {0};
  (void)state;
  /* é, U+00A0 (not a control), snowman, emoji: kept */
  assert_string_equal(
      ESC(&b, "h\xc3\xa9 \xc2\xa0\xe2\x98\x83\xf0\x9f\x98\x80"),
      "h\xc3\xa9 \xc2\xa0\xe2\x98\x83\xf0\x9f\x98\x80");
  /* not UTF-8: a lone continuation, a cut sequence, an overlong form */
  assert_string_equal(ESC(&b, "\x80\xc3(\xc0\xaf"), "\\x80\\xc3(\\xc0\\xaf");
  sl_buf_free(&b);
}

static void test_printf(void **state)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  (void)state;
  assert_non_null(f);
  sl_term_printf(f, "sluice: stopped: %s\n", "http://a/\x1b]2;x\x07");
  sl_term_printf(f, "no newline %d", 7);
  fclose(f);
  assert_string_equal(
      text, "sluice: stopped: http://a/\\x1b]2;x\\x07\nno newline 7");
  free(text);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_controls),
      cmocka_unit_test(test_utf8),
      cmocka_unit_test(test_printf),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
