/*
 * test_request.c - fetcher/request.c on its own: the checks of methods
 * and header lines (bytes from the caller, so a list of bad ones), the
 * merging of the context's lines with a request's (replace by name,
 * remove with "Name:", the User-Agent and Referer in their places), the
 * method a request is sent with before and after a redirect, and the
 * list without Authorization and Cookie after a hop to another origin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "fetcher/request.h"

/* The list as one string, lines joined by '|'. */
static const char *joined(const struct curl_slist *l)
{
  static char out[1024];
  out[0] = '\0';
  for(; l; l = l->next) {
    strcat(out, l->data);
    if(l->next)
      strcat(out, "|");
  }
  return out;
}

static void test_method_check(void **state)
{
  static const char *const good[] = {"GET", "PROPFIND", "M-SEARCH",
                                     "x!#$%&'*+.^_`|~9"};
  static const char *const bad[] = {"",      "GE T", "GET\r\n",    "G\tT",
                                    "(GET)", "GET:", "G\xc3\xa9T", "a/b"};
  (void)state;
  for(size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
    assert_null(sl__method_check(good[i]));
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_non_null(sl__method_check(bad[i]));
}

static void test_header_line_check(void **state)
{
  static const char *const good[] = {
      "X-A: 1",  "X-A:",     "X-A:1",     "X-A;",         "X-A; \t",
      "Accept:", "X-A: a;b", "X-A: a: b", "X-A: \x01\xff"};
  static const char *const bad[] = {
      "",       ": x",         "X A: 1",   "X-A",      "X-A 1",
      "X-A; x", "X-A: 1\r\nX", "X-A: 1\n", "X-A\r: 1", "\xc3\xa9: x",
      "X-A;;",  "(X): 1",      "X-A:\r",   " X-A: 1"};
  (void)state;
  for(size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
    assert_null(sl__header_line_check(good[i]));
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_non_null(sl__header_line_check(bad[i]));
}

static void test_context_lines(void **state)
{
  static const char *const lines[] = {"Accept:", "X-A: 1", "x-a: 2",
                                      "user-agent: mine", NULL};
  static const char *const bad[] = {"X-A: 1", "no colon", NULL};
  struct sl_ctx_hdrs h;
  (void)state;
  assert_int_equal(sl__ctx_hdrs_init(&h, "sluice/1", NULL), 0);
  assert_string_equal(joined(h.list.head), "User-Agent: sluice/1");
  sl__ctx_hdrs_free(&h);
  assert_int_equal(sl__ctx_hdrs_init(&h, "", NULL), 0);
  assert_null(h.list.head);
  sl__ctx_hdrs_free(&h);
  /* one group: both X-A lines stay; its User-Agent replaces ua's */
  assert_int_equal(sl__ctx_hdrs_init(&h, "sluice/1", lines), 0);
  assert_string_equal(joined(h.list.head),
                      "Accept:|X-A: 1|x-a: 2|user-agent: mine");
  sl__ctx_hdrs_free(&h);
  errno = 0;
  assert_int_equal(sl__ctx_hdrs_init(&h, "ua", bad), -1);
  assert_int_equal(errno, EINVAL);
}

/* The request's list over the context's ua and lines. */
static const char *request_list(struct sl_reqx *rx, struct sl_ctx_hdrs *h,
                                const struct sl_request *req)
{
  unsigned flags = req->flags;
  assert_true(sl__reqx_copy(rx, req, h, &flags));
  assert_null(rx->why);
  return joined(sl__reqx_headers(rx, h));
}

static void test_request_lines(void **state)
{
  static const char *const ctx_lines[] = {"Accept: text/html", "X-Ctx: 1",
                                          "Authorization: Bearer t", NULL};
  static const char *const own[] = {"x-ctx: 2", "X-Own: a", "X-Own: b",
                                    "Accept:", NULL};
  static const char *const ua_line[] = {"User-Agent: line", NULL};
  struct sl_ctx_hdrs h;
  struct sl_reqx rx = {0};
  struct sl_request req = {0};
  (void)state;
  assert_int_equal(sl__ctx_hdrs_init(&h, "sluice/1", ctx_lines), 0);
  req.url = "http://h/";
  /* a plain request uses the context's list as it is */
  assert_string_equal(request_list(&rx, &h, &req),
                      "User-Agent: sluice/1|Accept: text/html|X-Ctx: 1|"
                      "Authorization: Bearer t");
  assert_false(rx.used);
  assert_false(rx.own_headers);
  req.headers = own;
  assert_string_equal(request_list(&rx, &h, &req),
                      "User-Agent: sluice/1|Authorization: Bearer t|"
                      "x-ctx: 2|X-Own: a|X-Own: b|Accept:");
  req.headers = NULL;
  req.user_agent = "other/2";
  req.referer = "http://from/";
  assert_string_equal(request_list(&rx, &h, &req),
                      "Accept: text/html|X-Ctx: 1|Authorization: Bearer t|"
                      "User-Agent: other/2|Referer: http://from/");
  req.user_agent = ""; /* none: the line removes the context's */
  req.referer = NULL;
  req.headers = ua_line; /* and a line wins over user_agent */
  assert_string_equal(request_list(&rx, &h, &req),
                      "Accept: text/html|X-Ctx: 1|Authorization: Bearer t|"
                      "User-Agent: line");
  /* after a hop to another origin, none of the credentials */
  assert_true(sl__reqx_sensitive(&rx, &h));
  assert_true(sl__reqx_strip(&rx, &h));
  assert_string_equal(joined(sl__reqx_headers(&rx, &h)),
                      "Accept: text/html|X-Ctx: 1|User-Agent: line");
  assert_false(sl__reqx_sensitive(&rx, &h));
  sl__reqx_free(&rx);
  sl__ctx_hdrs_free(&h);
}

/* A plain request with only the context's Cookie is stripped too. */
static void test_strip_plain_request(void **state)
{
  static const char *const ctx_lines[] = {"cookie: a=1", "X-Keep: 1", NULL};
  struct sl_ctx_hdrs h;
  struct sl_reqx rx = {0};
  struct sl_request req = {0};
  (void)state;
  assert_int_equal(sl__ctx_hdrs_init(&h, "ua", ctx_lines), 0);
  req.url = "http://h/";
  request_list(&rx, &h, &req);
  assert_true(sl__reqx_sensitive(&rx, &h));
  assert_true(sl__reqx_strip(&rx, &h));
  assert_string_equal(joined(sl__reqx_headers(&rx, &h)),
                      "User-Agent: ua|X-Keep: 1");
  assert_int_equal(sl__reqx_method(&rx, 0), SL_METHOD_GET);
  sl__reqx_free(&rx);
  sl__ctx_hdrs_free(&h);
}

static enum sl_method method_of(struct sl_reqx *rx, struct sl_ctx_hdrs *h,
                                const char *method, const char *body,
                                const char *file, unsigned *flags)
{
  struct sl_request req = {0};
  req.url = "http://h/";
  req.method = method;
  req.body = body;
  req.body_len = body ? strlen(body) : 0;
  req.body_file = file;
  assert_true(sl__reqx_copy(rx, &req, h, flags));
  assert_null(rx->why);
  return sl__reqx_method(rx, *flags);
}

static void test_methods(void **state)
{
  struct sl_ctx_hdrs h;
  struct sl_reqx rx = {0};
  unsigned f = 0, head = SL_REQ_HEAD;
  (void)state;
  assert_int_equal(sl__ctx_hdrs_init(&h, NULL, NULL), 0);
  assert_int_equal(method_of(&rx, &h, NULL, NULL, NULL, &f), SL_METHOD_GET);
  assert_int_equal(method_of(&rx, &h, NULL, NULL, NULL, &head),
                   SL_METHOD_HEAD);
  assert_int_equal(method_of(&rx, &h, NULL, "a=1", NULL, &f), SL_METHOD_POST);
  assert_int_equal(method_of(&rx, &h, NULL, NULL, "/f", &f), SL_METHOD_POST);
  assert_int_equal(method_of(&rx, &h, "POST", NULL, NULL, &f), SL_METHOD_POST);
  assert_int_equal(method_of(&rx, &h, "GET", NULL, NULL, &f), SL_METHOD_GET);
  assert_int_equal(method_of(&rx, &h, "GET", "x", NULL, &f), SL_METHOD_CUSTOM);
  assert_int_equal(method_of(&rx, &h, "DELETE", NULL, NULL, &f),
                   SL_METHOD_CUSTOM);
  assert_string_equal(sl__reqx_method_name(&rx, f), "DELETE");
  assert_int_equal(f, 0);
  /* "HEAD" as a method is the flag */
  assert_int_equal(method_of(&rx, &h, "HEAD", NULL, NULL, &f), SL_METHOD_HEAD);
  assert_int_equal(f, SL_REQ_HEAD);
  f = 0;
  /* a redirect that turns it into a GET */
  assert_int_equal(method_of(&rx, &h, "PUT", "x", NULL, &f), SL_METHOD_CUSTOM);
  rx.get_now = true;
  assert_int_equal(sl__reqx_method(&rx, f), SL_METHOD_GET);
  assert_string_equal(sl__reqx_method_name(&rx, f), "GET");
  sl__reqx_free(&rx);
  sl__ctx_hdrs_free(&h);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_method_check),
      cmocka_unit_test(test_header_line_check),
      cmocka_unit_test(test_context_lines),
      cmocka_unit_test(test_request_lines),
      cmocka_unit_test(test_strip_plain_request),
      cmocka_unit_test(test_methods),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
