/*
 * test_retry.c - the retry policy of limits/: retryable outcomes and
 * methods, full-jitter bounds, the cap, the attempt count, the deadline,
 * Retry-After in seconds and as HTTP-dates (all three forms).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fetcher/admit.h"
#include "limits/ns.h"
#include "limits/retry.h"

#define SEC SL_NS_PER_SEC
#define MS  SL_NS_PER_MS

/* 2024-03-01 00:00:00 UTC */
static const int64_t REF = INT64_C(1709251200);

/* a scripted random source: returns vals[i++], counts calls */
struct script {
  const uint64_t *vals;
  size_t n, i;
};

static uint64_t scripted(void *ud)
{
  struct script *s = ud;
  assert_true(s->i < s->n);
  return s->vals[s->i++];
}

static struct sl_retry_outcome status(int code, unsigned tries)
{
  struct sl_retry_outcome o;
  memset(&o, 0, sizeof(o));
  o.method = "GET";
  o.fail = SL_RETRY_FAIL_NONE;
  o.status = code;
  o.tries = tries;
  o.deadline = SL_NS_NEVER;
  return o;
}

static void test_classify(void **state)
{
  static const int yes[] = {408, 429, 500, 502, 503, 504};
  static const int no[] = {0,   200, 204, 301, 304, 400, 401, 403, 404,
                           409, 410, 413, 418, 451, 501, 505, 599};
  static const char *const safe[] = {"GET",    "HEAD",    "PUT",
                                     "DELETE", "OPTIONS", "TRACE"};
  static const char *const unsafe[] = {"POST", "PATCH", "CONNECT",
                                       "get",  "GETX",  ""};
  struct sl_retry p;
  struct sl_retry_outcome o;
  int64_t d = -1;
  size_t i;
  (void)state;
  sl_retry_init(&p, 1);
  for(i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
    assert_true(sl_retry_status_retryable(yes[i]));
    o = status(yes[i], 1);
    assert_int_equal(sl_retry_decide(&p, &o, 0, 0, &d), SL_RETRY_YES);
  }
  for(i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
    assert_false(sl_retry_status_retryable(no[i]));
    o = status(no[i], 1);
    assert_int_equal(sl_retry_decide(&p, &o, 0, 0, &d), SL_RETRY_NO);
  }
  for(i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
    assert_true(sl_retry_method_idempotent(safe[i]));
  assert_true(sl_retry_method_idempotent(NULL));
  for(i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++) {
    assert_false(sl_retry_method_idempotent(unsafe[i]));
    o = status(503, 1);
    o.method = unsafe[i];
    assert_int_equal(sl_retry_decide(&p, &o, 0, 0, &d), SL_RETRY_UNSAFE);
    p.allow_unsafe = true;
    assert_int_equal(sl_retry_decide(&p, &o, 0, 0, &d), SL_RETRY_YES);
    p.allow_unsafe = false;
  }
  /* transport failures */
  o = status(0, 1);
  o.fail = SL_RETRY_FAIL_CONNECT;
  assert_int_equal(sl_retry_decide(&p, &o, 0, 0, &d), SL_RETRY_YES);
  o.fail = SL_RETRY_FAIL_TIMEOUT;
  assert_int_equal(sl_retry_decide(&p, &o, 0, 0, &d), SL_RETRY_YES);
  o.method = "POST";
  assert_int_equal(sl_retry_decide(&p, &o, 0, 0, &d), SL_RETRY_UNSAFE);
  o.fail = SL_RETRY_FAIL_OTHER;
  assert_int_equal(sl_retry_decide(&p, &o, 0, 0, &d), SL_RETRY_NO);
  /* a status is ignored when the try failed without a response */
  o = status(503, 1);
  o.fail = SL_RETRY_FAIL_OTHER;
  assert_int_equal(sl_retry_decide(&p, &o, 0, 0, &d), SL_RETRY_NO);
}

static void test_cap(void **state)
{
  static const int64_t want[] = {0,         100 * MS, 200 * MS,
                                 400 * MS,  800 * MS, 1600 * MS,
                                 3200 * MS, 5 * SEC,  5 * SEC};
  struct sl_retry p;
  unsigned i;
  (void)state;
  sl_retry_init(&p, 1);
  p.base = 100 * MS;
  p.cap = 5 * SEC;
  for(i = 0; i < sizeof(want) / sizeof(want[0]); i++)
    assert_int_equal(sl_retry_backoff_max(&p, i), want[i]);
  /* no overflow however many tries */
  for(i = 9; i < 1000; i++)
    assert_int_equal(sl_retry_backoff_max(&p, i), 5 * SEC);
  assert_int_equal(sl_retry_backoff_max(&p, 0xffffffffu), 5 * SEC);
  p.base = INT64_MAX / 2;
  p.cap = INT64_MAX;
  assert_int_equal(sl_retry_backoff_max(&p, 2), INT64_MAX - 1);
  assert_int_equal(sl_retry_backoff_max(&p, 3), INT64_MAX);
  p.base = 0;
  assert_int_equal(sl_retry_backoff_max(&p, 3), 0);
  /* the defaults */
  sl_retry_init(&p, 1);
  assert_int_equal(sl_retry_backoff_max(&p, 1), 500 * MS);
  assert_int_equal(sl_retry_backoff_max(&p, 7), 30 * SEC);
}

static void test_jitter_bound(void **state)
{
  static const uint64_t vals[] = {0, UINT64_MAX, UINT64_MAX / 2 + 1,
                                  UINT64_C(1) << 62};
  struct script sc = {vals, 4, 0};
  struct sl_retry p;
  unsigned tries;
  int i;
  (void)state;
  sl_retry_init(&p, 0);
  p.base = SEC;
  p.cap = 8 * SEC;
  p.rand = scripted;
  p.rand_ud = &sc;
  /* the extremes of the random source map to 0 and the ceiling */
  assert_int_equal(sl_retry_backoff(&p, 3), 0);
  assert_int_equal(sl_retry_backoff(&p, 3), 4 * SEC);
  assert_int_equal(sl_retry_backoff(&p, 3), 2 * SEC);
  assert_int_equal(sl_retry_backoff(&p, 3), SEC);
  assert_int_equal(sc.i, 4);

  /* the built-in generator: deterministic per seed, within bounds, and
     spread over the whole range */
  p.rand = NULL;
  for(tries = 1; tries <= 6; tries++) {
    int64_t max = sl_retry_backoff_max(&p, tries);
    int64_t lo = max, hi = 0;
    double sum = 0;
    p.seed = 7;
    for(i = 0; i < 10000; i++) {
      int64_t d = sl_retry_backoff(&p, tries);
      assert_true(d >= 0 && d <= max);
      if(d < lo)
        lo = d;
      if(d > hi)
        hi = d;
      sum += (double)d;
    }
    assert_true(lo < max / 100);
    assert_true(hi > max - max / 100);
    sum /= 10000;
    assert_true(sum > 0.45 * (double)max && sum < 0.55 * (double)max);
  }
  {
    struct sl_retry a, b;
    sl_retry_init(&a, 99);
    sl_retry_init(&b, 99);
    for(i = 0; i < 100; i++)
      assert_int_equal(sl_retry_backoff(&a, 4), sl_retry_backoff(&b, 4));
  }
}

static void test_attempts(void **state)
{
  struct sl_retry p;
  struct sl_retry_outcome o;
  int64_t d;
  unsigned max;
  (void)state;
  for(max = 0; max <= 6; max++) {
    unsigned tries = 0;
    enum sl_retry_verdict v;
    sl_retry_init(&p, max);
    p.max_attempts = max;
    do {
      tries++; /* a try, which fails */
      o = status(503, tries);
      v = sl_retry_decide(&p, &o, 0, 0, &d);
    } while(v == SL_RETRY_YES);
    assert_int_equal(v, SL_RETRY_EXHAUSTED);
    assert_int_equal(tries, max ? max : 1);
  }
  /* the delay grows with the tries: with the top random value, it is the
     ceiling */
  {
    static const uint64_t top[] = {UINT64_MAX, UINT64_MAX, UINT64_MAX};
    struct script sc = {top, 3, 0};
    sl_retry_init(&p, 0);
    p.max_attempts = 10;
    p.rand = scripted;
    p.rand_ud = &sc;
    o = status(500, 1);
    assert_int_equal(sl_retry_decide(&p, &o, 0, 0, &d), SL_RETRY_YES);
    assert_int_equal(d, 500 * MS);
    o.tries = 2;
    assert_int_equal(sl_retry_decide(&p, &o, 0, 0, &d), SL_RETRY_YES);
    assert_int_equal(d, SEC);
    o.tries = 3;
    assert_int_equal(sl_retry_decide(&p, &o, 0, 0, &d), SL_RETRY_YES);
    assert_int_equal(d, 2 * SEC);
  }
}

static void test_deadline(void **state)
{
  static const uint64_t vals[] = {UINT64_MAX / 4, UINT64_MAX / 2, UINT64_MAX,
                                  0, 0};
  struct script sc = {vals, 5, 0};
  struct sl_retry p;
  struct sl_retry_outcome o;
  int64_t now = 50 * SEC, d = -1;
  (void)state;
  sl_retry_init(&p, 0);
  p.base = 4 * SEC;
  p.cap = 4 * SEC;
  p.rand = scripted;
  p.rand_ud = &sc;
  o = status(502, 1);
  o.deadline = now + 2 * SEC;
  /* about 1 s: fits */
  assert_int_equal(sl_retry_decide(&p, &o, now, 0, &d), SL_RETRY_YES);
  assert_true(d < 2 * SEC);
  /* exactly 2 s would end at the deadline: refused */
  assert_int_equal(sl_retry_decide(&p, &o, now, 0, &d), SL_RETRY_DEADLINE);
  /* 4 s: refused */
  assert_int_equal(sl_retry_decide(&p, &o, now, 0, &d), SL_RETRY_DEADLINE);
  /* 0 s, one ns before the deadline: granted */
  d = -1;
  assert_int_equal(sl_retry_decide(&p, &o, o.deadline - 1, 0, &d),
                   SL_RETRY_YES);
  assert_int_equal(d, 0);
  /* at or past the deadline nothing is granted */
  assert_int_equal(sl_retry_decide(&p, &o, o.deadline, 0, &d),
                   SL_RETRY_DEADLINE);
  /* the attempt count is checked first */
  p.max_attempts = 1;
  assert_int_equal(sl_retry_decide(&p, &o, o.deadline, 0, &d),
                   SL_RETRY_EXHAUSTED);
}

static void test_retry_after_seconds(void **state)
{
  struct script sc = {NULL, 0, 0}; /* no random number may be drawn */
  struct sl_retry p;
  struct sl_retry_outcome o;
  int64_t d = -1, now = 10 * SEC, wall = REF * SEC;
  (void)state;
  sl_retry_init(&p, 0);
  p.parse_date = sl__http_date; /* as the fetcher has it */
  p.rand = scripted;
  p.rand_ud = &sc;
  o = status(429, 1);
  o.retry_after = "120";
  assert_int_equal(sl_retry_decide(&p, &o, now, wall, &d), SL_RETRY_YES);
  assert_int_equal(d, 120 * SEC); /* not bounded by the backoff cap */
  o.retry_after = " 0 ";
  assert_int_equal(sl_retry_decide(&p, &o, now, wall, &d), SL_RETRY_YES);
  assert_int_equal(d, 0);
  /* too long for the policy */
  o.retry_after = "301";
  assert_int_equal(sl_retry_decide(&p, &o, now, wall, &d), SL_RETRY_TOO_LONG);
  p.max_retry_after = 3600 * SEC;
  assert_int_equal(sl_retry_decide(&p, &o, now, wall, &d), SL_RETRY_YES);
  assert_int_equal(d, 301 * SEC);
  /* bounded by the deadline */
  o.deadline = now + 301 * SEC;
  assert_int_equal(sl_retry_decide(&p, &o, now, wall, &d), SL_RETRY_DEADLINE);
  o.deadline++;
  assert_int_equal(sl_retry_decide(&p, &o, now, wall, &d), SL_RETRY_YES);
  /* huge values saturate instead of overflowing */
  assert_true(sl_retry_after_parse(&p, "99999999999999999999999", 0, &d));
  assert_int_equal(d, SL_RETRY_AFTER_MAX);
  /* not a number, not a date: the backoff is used */
  {
    static const uint64_t top[] = {UINT64_MAX};
    struct script sc2 = {top, 1, 0};
    p.rand_ud = &sc2;
    o.retry_after = "soon";
    o.deadline = SL_NS_NEVER;
    assert_int_equal(sl_retry_decide(&p, &o, now, wall, &d), SL_RETRY_YES);
    assert_int_equal(d, 500 * MS);
    assert_int_equal(sc2.i, 1);
  }
  {
    static const char *const bad[] = {"",    "-1",   "1.5", "+3",
                                      "1 2", "0x10", "12s", NULL};
    size_t i;
    for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      d = -7;
      assert_false(sl_retry_after_parse(&p, bad[i], wall, &d));
      assert_int_equal(d, -7);
    }
  }
}

static void test_retry_after_dates(void **state)
{
  struct sl_retry p;
  struct sl_retry_outcome o;
  int64_t d = -1, now = 0;
  /* half a second past REF, on the wall clock */
  int64_t wall = REF * SEC + 500 * MS;
  (void)state;
  sl_retry_init(&p, 0);
  p.parse_date = sl__http_date; /* libcurl's curl_getdate */
  assert_true(
      sl_retry_after_parse(&p, "Fri, 01 Mar 2024 00:01:00 GMT", wall, &d));
  assert_int_equal(d, 59 * SEC + 500 * MS);
  assert_true(
      sl_retry_after_parse(&p, "Friday, 01-Mar-24 00:00:10 GMT", wall, &d));
  assert_int_equal(d, 9 * SEC + 500 * MS);
  assert_true(sl_retry_after_parse(&p, "Fri Mar  1 00:02:00 2024", wall, &d));
  assert_int_equal(d, 119 * SEC + 500 * MS);
  /* in the past, or this very second: no wait */
  assert_true(
      sl_retry_after_parse(&p, "Thu, 29 Feb 2024 23:00:00 GMT", wall, &d));
  assert_int_equal(d, 0);
  assert_true(
      sl_retry_after_parse(&p, "Fri, 01 Mar 2024 00:00:00 GMT", wall, &d));
  assert_int_equal(d, 0);
  assert_true(
      sl_retry_after_parse(&p, "Thu, 01 Jan 1970 00:00:00 GMT", wall, &d));
  assert_int_equal(d, 0);
  /* far future: saturates */
  assert_true(
      sl_retry_after_parse(&p, "Fri, 31 Dec 9999 23:59:59 GMT", wall, &d));
  assert_int_equal(d, SL_RETRY_AFTER_MAX);

  /* in decide: a 503 with a date, bounded like seconds */
  o = status(503, 1);
  o.retry_after = "Fri, 01 Mar 2024 00:01:00 GMT";
  assert_int_equal(sl_retry_decide(&p, &o, now, wall, &d), SL_RETRY_YES);
  assert_int_equal(d, 59 * SEC + 500 * MS);
  o.deadline = now + 59 * SEC;
  assert_int_equal(sl_retry_decide(&p, &o, now, wall, &d), SL_RETRY_DEADLINE);
  o.deadline = SL_NS_NEVER;
  o.retry_after = "Fri, 01 Mar 2024 01:00:00 GMT";
  assert_int_equal(sl_retry_decide(&p, &o, now, wall, &d), SL_RETRY_TOO_LONG);
}

/* The fetcher's HTTP-date parser (libcurl's curl_getdate) on the forms
   RFC 9110 allows; without one, a date is not understood at all. */
static void test_http_date(void **state)
{
  static const struct {
    const char *s;
    int64_t t;
  } ok[] = {
      {"Sun, 06 Nov 1994 08:49:37 GMT", 784111777},
      {"Sunday, 06-Nov-94 08:49:37 GMT", 784111777},
      {"Sun Nov  6 08:49:37 1994", 784111777},
      {"Sun Nov 06 08:49:37 1994", 784111777},
      {"  sun, 06 nov 1994 08:49:37 GMT\t", 784111777},
      {"Thu, 01 Jan 1970 00:00:00 GMT", 0},
      {"Tue, 29 Feb 2000 12:00:00 GMT", 951825600},
      {"Fri, 31 Dec 9999 23:59:59 GMT", INT64_C(253402300799)},
      {"Mon, 01 Jan 1900 00:00:00 GMT", -INT64_C(2208988800)},
      {"Thursday, 06-Nov-75 08:49:37 GMT", 184495777},
  };
  static const char *const bad[] = {"", "soon", "Sun, 06 Foo 1994",
                                    "25:00:00"};
  struct sl_retry p;
  int64_t d = -7;
  size_t i;
  (void)state;
  for(i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    int64_t t = -1;
    if(!sl__http_date(ok[i].s, &t))
      fail_msg("rejected: \"%s\"", ok[i].s);
    if(t != ok[i].t)
      fail_msg("\"%s\": %lld, want %lld", ok[i].s, (long long)t,
               (long long)ok[i].t);
  }
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    int64_t t = -1;
    if(sl__http_date(bad[i], &t))
      fail_msg("accepted: \"%s\"", bad[i]);
    assert_int_equal(t, -1);
  }
  sl_retry_init(&p, 0); /* no date parser: only delta-seconds */
  assert_false(
      sl_retry_after_parse(&p, "Sun, 06 Nov 1994 08:49:37 GMT", 0, &d));
  assert_int_equal(d, -7);
}

static void test_names(void **state)
{
  (void)state;
  assert_string_equal(sl_retry_verdict_name(SL_RETRY_YES), "retry");
  assert_string_equal(sl_retry_verdict_name(SL_RETRY_DEADLINE),
                      "deadline too close");
  assert_string_equal(sl_retry_verdict_name((enum sl_retry_verdict)99),
                      "unknown");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_classify),
      cmocka_unit_test(test_cap),
      cmocka_unit_test(test_jitter_bound),
      cmocka_unit_test(test_attempts),
      cmocka_unit_test(test_deadline),
      cmocka_unit_test(test_retry_after_seconds),
      cmocka_unit_test(test_retry_after_dates),
      cmocka_unit_test(test_http_date),
      cmocka_unit_test(test_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
