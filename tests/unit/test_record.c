/*
 * test_record.c - cmd/record.c, the JSON Lines record: exact bytes for
 * every field shape (numbers at their limits, time rounding, nulls,
 * errors) and strict escaping of strings (quotes, control bytes, invalid
 * UTF-8).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cmd/record.h"

/* The fields after "error" of a record with no response. */
#define NO_DETAILS                                                            \
  ",\"final_url\":null,\"content_type\":null,\"redirects\":0,"                \
  "\"http_version\":null,\"ip\":null,\"file\":null,\"timing\":null}\n"

/* The record r formats to, as a NUL-terminated copy. */
static const char *fmt(struct sl_buf *b, const struct record *r)
{
  static char out[200000];
  b->len = 0;
  assert_int_equal(record_format(b, r), 0);
  assert_true(b->len < sizeof(out));
  memcpy(out, b->p, b->len);
  out[b->len] = '\0';
  return out;
}

static void test_ok_record(void **state)
{
  struct sl_buf b = {0};
  struct record r = {0};
  (void)state;
  r.index = 7;
  r.url = "http://a/x";
  r.url_len = strlen(r.url);
  r.has_status = true;
  r.status = 200;
  r.ok = true;
  r.bytes = 1400;
  r.has_time = true;
  r.time_ms = 1.25;
  r.attempts = 1;
  assert_string_equal(fmt(&b, &r),
                      "{\"index\":7,\"url\":\"http://a/x\",\"status\":200,"
                      "\"ok\":true,\"bytes\":1400,\"time_ms\":1.3,"
                      "\"attempts\":1,\"error\":null" NO_DETAILS);
  sl_buf_free(&b);
}

static void test_numbers_at_their_limits(void **state)
{
  struct sl_buf b = {0};
  struct record r = {0};
  (void)state;
  r.index = UINT64_MAX;
  r.has_status = true;
  r.status = -2147483648L;
  r.bytes = 0;
  r.has_time = true;
  r.time_ms = 0.0;
  r.attempts = 4294967295u;
  assert_string_equal(
      fmt(&b, &r),
      "{\"index\":18446744073709551615,\"url\":\"\",\"status\":-2147483648,"
      "\"ok\":false,\"bytes\":0,\"time_ms\":0.0,\"attempts\":4294967295,"
      "\"error\":null" NO_DETAILS);
  sl_buf_free(&b);
}

/* time_ms: one decimal, half up; non-finite, negative or huge is null */
static void test_time_rounding(void **state)
{
  static const struct {
    double ms;
    const char *text;
  } cases[] = {{0.04, "0.0"},       {0.05, "0.1"},
               {0.96, "1.0"},       {12.34, "12.3"},
               {999.95, "1000.0"},  {1e14, "100000000000000.0"},
               {-0.1, "null"},      {1e15, "null"},
               {0.0 / 0.0, "null"}, {1.0 / 0.0, "null"}};
  struct sl_buf b = {0};
  struct record r = {0};
  char want[400];
  (void)state;
  r.has_time = true;
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    r.time_ms = cases[i].ms;
    snprintf(
        want, sizeof(want),
        "{\"index\":0,\"url\":\"\",\"status\":null,\"ok\":false,"
        "\"bytes\":0,\"time_ms\":%s,\"attempts\":0,\"error\":null" NO_DETAILS,
        cases[i].text);
    assert_string_equal(fmt(&b, &r), want);
  }
  sl_buf_free(&b);
}

static void test_error_record_is_escaped(void **state)
{
  struct sl_buf b = {0};
  struct record r = {0};
  (void)state;
  r.index = 3;
  r.url = "a\"b\\c\n\x01\xff\xc3\xa9"; /* é is valid UTF-8, 0xff is not */
  r.url_len = strlen(r.url);
  r.error_kind = "dns";
  r.error_msg = "no \"such\" host\t!";
  assert_string_equal(
      fmt(&b, &r),
      "{\"index\":3,\"url\":\"a\\\"b\\\\c\\n\\u0001\\ufffd"
      "\xc3\xa9\",\"status\":null,\"ok\":false,\"bytes\":0,"
      "\"time_ms\":null,\"attempts\":0,\"error\":{\"kind\":"
      "\"dns\",\"message\":\"no \\\"such\\\" host\\t!\"}" NO_DETAILS);
  r.error_msg = NULL;
  assert_non_null(strstr(fmt(&b, &r), "\"message\":\"\"},\"final_url\""));
  sl_buf_free(&b);
}

/* a long URL grows the buffer past every fixed reservation */
static void test_long_url(void **state)
{
  static char url[100000];
  struct sl_buf b = {0};
  struct record r = {0};
  (void)state;
  memset(url, 'x', sizeof(url));
  r.url = url;
  r.url_len = sizeof(url);
  fmt(&b, &r);
  assert_int_equal(
      b.len, sizeof(url) + strlen("{\"index\":0,\"url\":\"\","
                                  "\"status\":null,\"ok\":false,"
                                  "\"bytes\":0,\"time_ms\":null,"
                                  "\"attempts\":0,\"error\":null" NO_DETAILS));
  sl_buf_free(&b);
}

/* The fields after "error": strings escaped, versions named, the
   timing object with its times rounded, nulls where not known. */
static void test_details(void **state)
{
  static const struct {
    int version;
    const char *text;
  } versions[] = {{10, "\"1.0\""}, {11, "\"1.1\""}, {20, "\"2\""},
                  {30, "\"3\""},   {0, "null"},     {15, "null"}};
  struct sl_buf b = {0};
  struct record r = {0};
  char want[160];
  (void)state;
  r.url = "u";
  r.url_len = 1;
  r.has_status = true;
  r.status = 200;
  r.ok = true;
  r.final_url = "http://b/\x01\xff";
  r.content_type = "text/html; charset=\"utf-8\"";
  r.redirects = 3;
  r.http_version = 20;
  r.ip = "::1";
  r.file = "h/a\"b";
  r.has_timing = true;
  r.timing = (struct record_timing){0.04, 1.25, 2.0, -1, 0.0 / 0.0, 1e15};
  assert_string_equal(
      fmt(&b, &r),
      "{\"index\":0,\"url\":\"u\",\"status\":200,\"ok\":true,\"bytes\":0,"
      "\"time_ms\":null,\"attempts\":0,\"error\":null,"
      "\"final_url\":\"http://b/\\u0001\\ufffd\","
      "\"content_type\":\"text/html; charset=\\\"utf-8\\\"\","
      "\"redirects\":3,\"http_version\":\"2\",\"ip\":\"::1\","
      "\"file\":\"h/a\\\"b\",\"timing\":{\"queued\":0.0,\"dns\":1.3,"
      "\"connect\":2.0,\"tls\":null,\"ttfb\":null,\"total\":null}}\n");
  for(size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
    r.http_version = versions[i].version;
    snprintf(want, sizeof(want), "\"http_version\":%s,", versions[i].text);
    assert_non_null(strstr(fmt(&b, &r), want));
  }
  sl_buf_free(&b);
}

/* A final_url equal to the url is written from the url's escaped form,
   byte for byte the same as escaping it again. */
static void test_final_url_as_url(void **state)
{
  static const char url[] = "http://h/\"q\"\x01\xff/\xc3\xa9";
  struct sl_buf b = {0};
  struct record r = {0};
  (void)state;
  r.url = url;
  r.url_len = sizeof(url) - 1;
  r.final_url = url;
  assert_non_null(strstr(
      fmt(&b, &r), "\"url\":\"http://h/\\\"q\\\"\\u0001\\ufffd/\xc3\xa9\","
                   "\"status\""));
  assert_non_null(strstr(fmt(&b, &r),
                         "\"final_url\":\"http://h/\\\"q\\\"\\u0001\\ufffd/"
                         "\xc3\xa9\",\"content_type\""));
  sl_buf_free(&b);
}

/* Every field long: the reservations between them hold. */
static void test_all_long(void **state)
{
  static char big[5000];
  struct sl_buf b = {0};
  struct record r = {0};
  const char *out;
  (void)state;
  memset(big, 'y', sizeof(big) - 1);
  r.url = big;
  r.url_len = strlen(big);
  r.error_kind = big;
  r.error_msg = big;
  r.final_url = r.content_type = r.ip = r.file = big;
  r.has_timing = true;
  r.timing = (struct record_timing){1e14, 1e14, 1e14, 1e14, 1e14, 1e14};
  out = fmt(&b, &r);
  assert_int_equal(strlen(out), 7 * (sizeof(big) - 1) + 367);
  assert_string_equal(out + strlen(out) - 28,
                      "\"total\":100000000000000.0}}\n");
  sl_buf_free(&b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ok_record),
      cmocka_unit_test(test_numbers_at_their_limits),
      cmocka_unit_test(test_time_rounding),
      cmocka_unit_test(test_error_record_is_escaped),
      cmocka_unit_test(test_long_url),
      cmocka_unit_test(test_details),
      cmocka_unit_test(test_final_url_as_url),
      cmocka_unit_test(test_all_long),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
