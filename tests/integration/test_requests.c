/*
 * test_requests.c - the library's requests beyond a plain GET, against
 * sluice-fixture: the body streamed to on_body (and told to start over
 * when a retry comes, never given a redirect's body, able to stop the
 * transfer), redirects followed hop by hop through the limits (counted,
 * bounded, never a new try), requests that cannot be sent (kind
 * invalid_request, on the loop), a body file that cannot be read (kind
 * io), the response of a transfer cancelled mid-body, and what a
 * response says of its connection (address, timing).  What is sent on
 * the wire (methods, headers, bodies, codings, other hosts) is checked
 * against nginx by tests/nginx.
 *
 * argv[1] is the sluice-fixture binary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sluice.h"
#include "support/harness.h"

static struct fixture fx; /* started by harness_setup */

/* ---- the body, streamed ------------------------------------------------ */

struct sink {
  char data[4096];
  size_t len;
  int resets, calls;
  size_t stop_after; /* 0: never stop */
};

static const char *into_sink(sl_task *t, const char *p, size_t len, void *ud)
{
  struct sink *s = ud;
  (void)t;
  s->calls++;
  if(!p) {
    assert_int_equal(len, 0);
    s->resets++;
    s->len = 0;
    return NULL;
  }
  if(s->stop_after) {
    s->len += len;
    return s->len >= s->stop_after ? "the sink is full" : NULL;
  }
  assert_true(s->len + len <= sizeof(s->data));
  memcpy(s->data + s->len, p, len);
  s->len += len;
  return NULL;
}

static sl_task *fetch_into(sl_ctx *ctx, const char *path, unsigned flags,
                           struct sink *s)
{
  struct sl_request req = harness_req(path, flags);
  req.on_body = into_sink;
  req.body_ud = s;
  return sl_fetch(ctx, &req);
}

static void test_body_streamed(void **state)
{
  struct sink s = {0}, c = {0};
  sl_ctx *ctx = harness_ctx(4);
  sl_task *t = fetch_into(ctx, "/bytes/3000", SL_REQ_BUFFER_BODY, &s);
  sl_task *ch = fetch_into(ctx, "/chunked/2500", 0, &c);
  const struct sl_response *r;
  (void)state;
  sl_run(ctx);
  assert_int_equal(sl_task_response(t, &r), SL_OK);
  assert_int_equal(r->bytes, 3000);
  assert_int_equal(s.len, 3000);
  assert_int_equal(s.resets, 0);
  assert_memory_equal(s.data, r->body, 3000);
  assert_int_equal(sl_task_response(ch, &r), SL_OK);
  assert_int_equal(c.len, 2500);
  sl_task_free(t);
  sl_task_free(ch);
  sl_ctx_free(ctx);
}

/* A retry starts the body over: on_body hears of it first. */
static void test_body_starts_over_on_retry(void **state)
{
  struct sl_options o = {0};
  struct sink s = {0};
  sl_ctx *ctx;
  sl_task *t;
  const struct sl_response *r;
  (void)state;
  o.retries = 3;
  o.retry_max_delay_ms = 10;
  o.quiet = true;
  ctx = sl_ctx_new(&o);
  t = fetch_into(ctx, "/flaky/2?body-reset", 0, &s);
  sl_run(ctx);
  assert_int_equal(sl_task_response(t, &r), SL_OK);
  assert_int_equal(r->status, 200);
  assert_int_equal(sl_task_attempts(t), 3);
  assert_int_equal(s.resets, 2); /* before the second and third try */
  assert_int_equal(s.len, r->bytes);
  assert_memory_equal(s.data, "OK\n", 3);
  sl_task_free(t);
  sl_ctx_free(ctx);
}

static void test_body_sink_stops(void **state)
{
  struct sink s = {.stop_after = 100};
  sl_ctx *ctx = harness_ctx(4);
  sl_task *t = fetch_into(ctx, "/bytes/100000", 0, &s);
  const struct sl_error *e;
  const struct sl_response *r;
  (void)state;
  sl_run(ctx);
  assert_int_equal(sl_task_state(t), SL_FAILED);
  assert_int_equal(sl_task_error(t, &e), SL_OK);
  assert_int_equal(e->kind, SL_ERR_IO);
  assert_string_equal(e->message, "the sink is full");
  assert_int_equal(sl_task_response(t, &r), SL_OK); /* as far as it came */
  assert_int_equal(r->status, 200);
  assert_true(r->bytes >= 100 && r->bytes < 100000);
  sl_task_free(t);
  sl_ctx_free(ctx);
}

/* ---- redirects ---------------------------------------------------------- */

/* ---- the headers, as they arrive -------------------------------------- */

struct heads {
  int calls;
  long status;
  char url[256], type[64];
  int64_t length;
  int links;        /* Link values seen inside the callback */
  const char *deny; /* a content type to decline, or NULL */
};

static const char *on_head(sl_task *t, const struct sl_response_head *h,
                           void *ud)
{
  struct heads *s = ud;
  size_t pos = 0;
  s->calls++;
  s->status = h->status;
  s->length = h->content_length;
  snprintf(s->url, sizeof(s->url), "%s", h->url);
  snprintf(s->type, sizeof(s->type), "%s",
           h->content_type ? h->content_type : "");
  while(sl_task_header_next(t, "link", &pos, NULL))
    s->links++;
  if(s->deny && h->content_type && strstr(h->content_type, s->deny))
    return "not a page: declined";
  return NULL;
}

static sl_task *fetch_heads(sl_ctx *ctx, const char *path, unsigned flags,
                            struct heads *h, struct sink *body)
{
  struct sl_request req = harness_req(path, flags);
  req.on_headers = on_head;
  req.headers_ud = h;
  req.on_body = into_sink;
  req.body_ud = body;
  return sl_fetch(ctx, &req);
}

/* Header lines as some servers end and fold them (/bad-lines): every
   value is one line, trimmed; a bare LF ends a line (curl's store kept
   it in the value); a folded line is joined by a space; a line with no
   name is no header. */
static void test_header_values_are_one_line(void **state)
{
  sl_ctx *ctx = harness_ctx(1);
  sl_task *t = harness_get(ctx, "/bad-lines", SL_REQ_KEEP_HEADERS);
  const char *v, *fold, *name;
  size_t pos = 0;
  (void)state;
  assert_int_equal(sl_task_wait(t), SL_OK);
  assert_int_equal(sl_task_state(t), SL_DONE);
  assert_string_equal(sl_task_header(t, "X-Bare-Lf"), "lf");
  assert_string_equal(sl_task_header(t, "X-Empty"), "");
  assert_string_equal(sl_task_header(t, "X-Tabs"), "tabbed");
  fold = sl_task_header(t, "X-Fold");
  assert_non_null(fold);
  assert_non_null(strstr(fold, "first"));
  while((v = sl_task_header_next(t, NULL, &pos, &name))) {
    assert_null(strpbrk(v, "\r\n"));
    assert_true(*name); /* ": no name" is left out */
  }
  sl_task_free(t);
  sl_ctx_free(ctx);
}

/* on_headers sees status, type, length and every header once per
   response, before the body, and only the response the task ends with
   (not the redirects followed); declining stops the transfer before any
   body byte: CANCELLED with the message, the status and headers kept.
   Repeated headers come in order, names as sent. */
static void test_headers_as_they_arrive(void **state)
{
  sl_ctx *ctx = harness_ctx(4);
  struct heads h1 = {0}, h2 = {0}, h3 = {0};
  struct sink b1 = {0}, b2 = {0}, b3 = {0};
  const struct sl_response *r;
  const struct sl_error *e;
  const char *name, *v;
  char order[256] = "";
  size_t pos = 0;
  sl_task *links, *redir, *pdf;
  (void)state;
  assert_int_equal(
      fixture_add_route(&fx, "{\"path\": \"/links\", \"headers\": "
                             "{\"Link\": \"<a>; rel=next\", \"X-Mid\": \"m\", "
                             "\"link\": \"<b>\", \"LINK\": \"<c>\", "
                             "\"Content-Type\": \"text/html\"}, "
                             "\"body\": \"<p>hello</p>\"}"),
      0);
  assert_int_equal(
      fixture_add_route(&fx, "{\"path\": \"/doc.pdf\", \"headers\": "
                             "{\"Content-Type\": \"application/pdf\"}, "
                             "\"body\": \"%PDF-1.4 and much more\"}"),
      0);
  links = fetch_heads(ctx, "/links", 0, &h1, &b1);
  redir = fetch_heads(ctx, "/redirect/2", SL_REQ_FOLLOW_REDIRECTS, &h2, &b2);
  h3.deny = "pdf";
  pdf = fetch_heads(ctx, "/doc.pdf", SL_REQ_BUFFER_BODY, &h3, &b3);
  sl_run(ctx);

  assert_int_equal(h1.calls, 1);
  assert_int_equal(h1.status, 200);
  assert_string_equal(h1.type, "text/html");
  assert_int_equal(h1.length, 12);
  assert_int_equal(h1.links, 3);
  assert_int_equal(b1.len, 12);
  /* kept after the end too, in order, repeats and names as sent */
  assert_string_equal(sl_task_header_next(links, "LINK", &pos, &name),
                      "<a>; rel=next");
  assert_string_equal(name, "Link");
  assert_string_equal(sl_task_header_next(links, "Link", &pos, &name), "<b>");
  assert_string_equal(name, "link");
  assert_string_equal(sl_task_header_next(links, "link", &pos, NULL), "<c>");
  assert_null(sl_task_header_next(links, "link", &pos, NULL));
  pos = 0; /* every header, in the order sent */
  while((v = sl_task_header_next(links, NULL, &pos, &name)))
    snprintf(order + strlen(order), sizeof(order) - strlen(order), "%s,",
             name);
  assert_non_null(strstr(order, "Link,X-Mid,link,LINK,Content-Type,"));
  assert_string_equal(sl_task_header(links, "x-mid"), "m");

  assert_int_equal(h2.calls, 1); /* not for the two redirects */
  assert_int_equal(h2.status, 200);
  assert_int_equal(sl_task_response(redir, &r), SL_OK);
  assert_int_equal(r->redirects, 2);
  assert_string_equal(h2.url, r->effective_url);

  assert_int_equal(h3.calls, 1);
  assert_int_equal(sl_task_state(pdf), SL_CANCELLED);
  assert_int_equal(sl_task_error(pdf, &e), SL_OK);
  assert_int_equal(e->kind, SL_ERR_CANCELLED);
  assert_string_equal(e->message, "not a page: declined");
  assert_int_equal(b3.calls, 0); /* no body byte was given */
  assert_int_equal(sl_task_response(pdf, &r), SL_OK);
  assert_int_equal(r->status, 200);
  assert_int_equal(r->bytes, 0);
  assert_string_equal(r->content_type, "application/pdf");
  assert_string_equal(sl_task_header(pdf, "content-type"), "application/pdf");
  sl_task_free(links);
  sl_task_free(redir);
  sl_task_free(pdf);
  sl_ctx_free(ctx);
}

/* A size limit keeps the response as far as it came: status, headers,
   and exactly max_body bytes, buffered and given to on_body. */
static void test_size_limit_keeps_the_start(void **state)
{
  sl_ctx *ctx = harness_ctx(4);
  struct sink b = {0};
  struct sl_request req =
      harness_req("/bytes/100000", SL_REQ_BUFFER_BODY | SL_REQ_KEEP_HEADERS);
  const struct sl_response *r;
  const struct sl_error *e;
  sl_task *t;
  (void)state;
  req.max_body = 1000;
  req.on_body = into_sink;
  req.body_ud = &b;
  t = sl_fetch(ctx, &req);
  sl_task_wait(t);
  assert_int_equal(sl_task_state(t), SL_FAILED);
  assert_int_equal(sl_task_error(t, &e), SL_OK);
  assert_int_equal(e->kind, SL_ERR_TOO_LARGE);
  assert_int_equal(sl_task_response(t, &r), SL_OK);
  assert_int_equal(r->status, 200);
  assert_int_equal(r->bytes, 1000);
  assert_int_equal(r->body_len, 1000);
  assert_int_equal(b.len, 1000);
  assert_string_equal(sl_task_header(t, "Content-Length"), "100000");
  sl_task_free(t);
  sl_ctx_free(ctx);
}

static void test_redirect_body_not_given(void **state)
{
  struct sink s = {0};
  sl_ctx *ctx = harness_ctx(4);
  sl_task *t = fetch_into(ctx, "/redirect/3", SL_REQ_FOLLOW_REDIRECTS, &s);
  const struct sl_response *r;
  (void)state;
  sl_run(ctx);
  assert_int_equal(sl_task_response(t, &r), SL_OK);
  assert_int_equal(r->status, 200);
  assert_int_equal(r->redirects, 3);
  assert_int_equal(r->bytes, 10);
  assert_int_equal(s.len, 10); /* none of the 302s' bodies */
  assert_int_equal(s.resets, 0);
  assert_int_equal(sl_task_attempts(t), 1); /* hops are not tries */
  assert_string_equal(r->effective_url, fixture_url(&fx, "/bytes/10"));
  assert_string_equal(sl_task_url(t), fixture_url(&fx, "/redirect/3"));
  assert_null(r->redirect_url);
  sl_task_free(t);
  sl_ctx_free(ctx);
}

static sl_task *follow(sl_ctx *ctx, const char *path, long max)
{
  struct sl_request req = harness_req(path, SL_REQ_FOLLOW_REDIRECTS);
  req.max_redirects = max;
  return sl_fetch(ctx, &req);
}

static void expect_redirect_error(sl_task *t, long status, const char *what)
{
  const struct sl_error *e;
  const struct sl_response *r;
  assert_int_equal(sl_task_state(t), SL_FAILED);
  assert_int_equal(sl_task_error(t, &e), SL_OK);
  assert_int_equal(e->kind, SL_ERR_REDIRECT);
  assert_non_null(strstr(e->message, what));
  assert_int_equal(sl_task_response(t, &r), SL_OK); /* the last redirect */
  assert_int_equal(r->status, status);
  sl_task_free(t);
}

static void test_redirect_limits(void **state)
{
  struct sl_options o = {0};
  sl_ctx *ctx = harness_ctx(4), *ctx3;
  sl_task *two = follow(ctx, "/redirect/3", 2);
  sl_task *none = follow(ctx, "/redirect/1", SL_REDIRECTS_NONE);
  sl_task *ten = follow(ctx, "/redirect/10", 0);
  sl_task *eleven = follow(ctx, "/redirect/11", 0);
  sl_task *plain = harness_get(ctx, "/redirect/2", 0);
  const struct sl_response *r;
  (void)state;
  sl_run(ctx);
  expect_redirect_error(two, 302, "more than 2 redirects");
  expect_redirect_error(none, 302, "more than 0 redirects (the next to '");
  assert_int_equal(sl_task_response(ten, &r), SL_OK);
  assert_int_equal(r->redirects, 10);
  expect_redirect_error(eleven, 302, "more than 10 redirects");
  /* not followed: the 302 is the response, its target told */
  assert_int_equal(sl_task_response(plain, &r), SL_OK);
  assert_int_equal(r->status, 302);
  assert_int_equal(r->redirects, 0);
  assert_non_null(strstr(r->redirect_url, "/redirect/1"));
  sl_task_free(ten);
  sl_task_free(plain);
  sl_ctx_free(ctx);

  o.max_redirects = 3; /* the context's default */
  o.quiet = true;
  ctx3 = sl_ctx_new(&o);
  ten = follow(ctx3, "/redirect/3", 0);
  eleven = follow(ctx3, "/redirect/4", 0);
  sl_run(ctx3);
  assert_int_equal(sl_task_response(ten, &r), SL_OK);
  assert_int_equal(r->status, 200);
  expect_redirect_error(eleven, 302, "more than 3 redirects");
  sl_task_free(ten);
  sl_ctx_free(ctx3);
}

/* Every hop goes through its host's limits: with one transfer at once
   per host, the server never sees two of ours at once. */
static void test_redirect_hops_keep_the_host_limit(void **state)
{
  struct sl_options o = {0};
  struct fixture_counters c;
  sl_ctx *ctx;
  int i;
  (void)state;
  o.per_host = 1;
  o.max_concurrency = 16;
  ctx = sl_ctx_new(&o);
  assert_int_equal(fixture_reset(&fx), 0);
  for(i = 0; i < 8; i++)
    sl_task_on_done(follow(ctx, "/redirect/3", 0), harness_free_task, NULL);
  sl_run(ctx);
  assert_int_equal(fixture_stats(&fx, fx.host, &c), 0);
  assert_int_equal(c.requests, 8 * 4);
  assert_int_equal(c.max_in_flight, 1);
  sl_ctx_free(ctx);
}

/* ---- requests that cannot be sent ------------------------------------- */

static void expect_kind(sl_task *t, enum sl_error_kind kind, const char *what)
{
  const struct sl_error *e;
  const struct sl_response *r;
  assert_int_equal(sl_task_state(t), SL_FAILED);
  assert_int_equal(sl_task_error(t, &e), SL_OK);
  assert_int_equal(e->kind, kind);
  assert_non_null(strstr(e->message, what));
  assert_int_equal(sl_task_response(t, &r), SL_ENOENT);
  assert_int_equal(sl_task_attempts(t), 0);
  sl_task_free(t);
}

static void test_invalid_requests(void **state)
{
  static const char *const bad_name[] = {"Bad Name: x", NULL};
  static const char *const crlf[] = {"X-A: 1\r\nX-B: 2", NULL};
  static const char *const no_colon[] = {"X-A", NULL};
  static const char *const semi[] = {"X-A; 1", NULL};
  struct {
    const char *method;
    const char *const *headers;
    const char *body, *file, *ua;
    unsigned flags;
    const char *what;
  } cases[] = {
      {"GE T", NULL, NULL, NULL, NULL, 0, "not an HTTP token"},
      {"", NULL, NULL, NULL, NULL, 0, "not an HTTP token"},
      {NULL, bad_name, NULL, NULL, NULL, 0, "header line"},
      {NULL, crlf, NULL, NULL, NULL, 0, "line break"},
      {NULL, no_colon, NULL, NULL, NULL, 0, "header line"},
      {NULL, semi, NULL, NULL, NULL, 0, "after the ';'"},
      {NULL, NULL, "x", "/etc/hostname", NULL, 0, "both"},
      {"HEAD", NULL, "x", NULL, NULL, 0, "HEAD request cannot"},
      {NULL, NULL, "x", NULL, NULL, SL_REQ_HEAD, "HEAD request cannot"},
      {"PUT", NULL, NULL, NULL, NULL, SL_REQ_HEAD, "SL_REQ_HEAD with"},
      {NULL, NULL, NULL, NULL, "a\nb", 0, "line break"},
      {NULL, NULL, NULL, "", NULL, 0, "file name is empty"},
  };
  enum { N = sizeof(cases) / sizeof(cases[0]) };
  sl_task *t[N];
  sl_ctx *ctx = harness_ctx(4);
  size_t i;
  (void)state;
  for(i = 0; i < N; i++) {
    struct sl_request req = harness_req("/bytes/1", cases[i].flags);
    req.method = cases[i].method;
    req.headers = cases[i].headers;
    req.body = cases[i].body;
    req.body_len = cases[i].body ? strlen(cases[i].body) : 0;
    req.body_file = cases[i].file;
    req.user_agent = cases[i].ua;
    t[i] = sl_fetch(ctx, &req); /* never refused here */
    assert_non_null(t[i]);
  }
  sl_run(ctx);
  for(i = 0; i < N; i++)
    expect_kind(t[i], SL_ERR_INVALID_REQUEST, cases[i].what);
  assert_string_equal(sl_error_kind_name(SL_ERR_INVALID_REQUEST),
                      "invalid_request");
  sl_ctx_free(ctx);
}

static void test_bad_context_options(void **state)
{
  static const char *const bad[] = {"X-Ok: 1", "no colon", NULL};
  struct sl_options o = {0};
  (void)state;
  o.headers = bad;
  errno = 0;
  assert_null(sl_ctx_new(&o));
  assert_int_equal(errno, EINVAL);
  memset(&o, 0, sizeof(o));
  o.proxy = "http://127.0.0.1:1\r\nX: y";
  errno = 0;
  assert_null(sl_ctx_new(&o));
  assert_int_equal(errno, EINVAL);
}

static void test_body_file_unreadable(void **state)
{
  struct sl_request req = harness_req("/bytes/1", 0);
  sl_ctx *ctx = harness_ctx(4);
  sl_task *t;
  (void)state;
  req.body_file = "/nonexistent/body.bin";
  t = sl_fetch(ctx, &req);
  sl_run(ctx);
  expect_kind(t, SL_ERR_IO,
              "cannot read the body file '/nonexistent/body.bin': No such");
  sl_ctx_free(ctx);
}

/* Bodies go out (the fixture reads and drops them): the request is
   answered, also a streamed one and a method of our own. */
static void test_bodies_are_sent(void **state)
{
  static const char *const hdrs[] = {"Content-Type: text/plain", NULL};
  char path[] = "/tmp/sluice-body-XXXXXX";
  struct sl_request req = harness_req("/bytes/7", 0);
  sl_ctx *ctx = harness_ctx(4);
  sl_task *post, *put, *del;
  const struct sl_response *r;
  FILE *f;
  int fd = mkstemp(path);
  (void)state;
  assert_true(fd >= 0);
  f = fdopen(fd, "w");
  for(int i = 0; i < 20000; i++)
    fputs("0123456789", f);
  fclose(f);
  req.body = "a=1&b=2";
  req.body_len = 7;
  req.headers = hdrs;
  post = sl_fetch(ctx, &req);
  req.body = NULL;
  req.body_len = 0;
  req.body_file = path;
  req.method = "PUT";
  put = sl_fetch(ctx, &req);
  req.body_file = NULL;
  req.method = "DELETE";
  del = sl_fetch(ctx, &req);
  sl_run(ctx);
  assert_int_equal(sl_task_response(post, &r), SL_OK);
  assert_int_equal(r->status, 200);
  assert_int_equal(r->bytes, 7);
  assert_int_equal(sl_task_response(put, &r), SL_OK);
  assert_int_equal(r->status, 200);
  assert_int_equal(sl_task_response(del, &r), SL_OK);
  assert_int_equal(r->status, 200);
  unlink(path);
  sl_task_free(post);
  sl_task_free(put);
  sl_task_free(del);
  sl_ctx_free(ctx);
}

/* ---- what a response says --------------------------------------------- */

static const char *count_only(sl_task *t, const char *p, size_t len, void *ud)
{
  (void)t;
  (void)p;
  *(size_t *)ud += len;
  return NULL;
}

/* Cancelled mid-body: the status and the bytes that had come stay. */
static void test_cancelled_keeps_the_response(void **state)
{
  struct sl_request req = harness_req("/drip/100/20", 0);
  sl_ctx *ctx = harness_ctx(4);
  size_t got = 0;
  sl_task *t;
  const struct sl_response *r;
  const struct sl_error *e;
  (void)state;
  req.on_body = count_only;
  req.body_ud = &got;
  t = sl_fetch(ctx, &req);
  while(got < 3)
    ev_run(sl_ctx_loop(ctx), EVRUN_ONCE);
  assert_true(sl_task_cancel(t, "enough"));
  assert_int_equal(sl_task_state(t), SL_CANCELLED);
  assert_int_equal(sl_task_response(t, &r), SL_OK);
  assert_int_equal(r->status, 200);
  assert_true(r->bytes >= 3 && r->bytes < 100);
  assert_int_equal(r->bytes, got);
  assert_string_equal(r->ip, "127.0.0.1");
  assert_int_equal(sl_task_error(t, &e), SL_OK);
  assert_int_equal(e->kind, SL_ERR_CANCELLED);
  assert_string_equal(e->message, "enough");
  sl_task_free(t);
  /* cancelled before any answer: no response */
  t = harness_get(ctx, "/hang", 0);
  assert_true(sl_task_cancel(t, NULL));
  assert_int_equal(sl_task_response(t, &r), SL_ENOENT);
  sl_task_free(t);
  sl_ctx_free(ctx);
}

static void test_address_and_timing(void **state)
{
  sl_ctx *ctx = harness_ctx(4);
  sl_task *t = harness_get(ctx, "/delay/20", 0);
  sl_task *bad = harness_fetch(ctx, "http://127.0.0.1:1/", 0);
  const struct sl_response *r;
  const struct sl_timing *tm;
  (void)state;
  sl_run(ctx);
  assert_int_equal(sl_task_response(t, &r), SL_OK);
  tm = &r->timing;
  assert_string_equal(r->ip, "127.0.0.1");
  assert_true(tm->queued_ms >= 0);
  assert_true(tm->connect_ms > 0);
  assert_true(tm->tls_ms == 0); /* no TLS */
  assert_true(tm->ttfb_ms >= 20 && tm->ttfb_ms >= tm->connect_ms);
  assert_true(tm->total_ms >= tm->ttfb_ms);
  assert_int_equal(sl_task_response(bad, &r), SL_ENOENT);
  sl_task_free(t);
  sl_task_free(bad);
  sl_ctx_free(ctx);
}

/* One pooled handle after another: each response names its own URL
   (libcurl 7.88 keeps a handle's first one in CURLINFO_EFFECTIVE_URL). */
static void test_effective_url_of_a_reused_handle(void **state)
{
  sl_ctx *ctx = harness_ctx(1);
  const struct sl_response *r;
  char path[32];
  (void)state;
  for(int i = 1; i <= 3; i++) {
    sl_task *t;
    snprintf(path, sizeof(path), "/bytes/%d", i);
    t = harness_get(ctx, path, 0);
    assert_int_equal(sl_task_wait(t), SL_OK);
    assert_int_equal(sl_task_response(t, &r), SL_OK);
    assert_string_equal(r->effective_url, fixture_url(&fx, path));
    assert_int_equal(r->bytes, i);
    sl_task_free(t);
  }
  sl_ctx_free(ctx);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_body_streamed),
      cmocka_unit_test(test_body_starts_over_on_retry),
      cmocka_unit_test(test_body_sink_stops),
      cmocka_unit_test(test_redirect_body_not_given),
      cmocka_unit_test(test_redirect_limits),
      cmocka_unit_test(test_redirect_hops_keep_the_host_limit),
      cmocka_unit_test(test_invalid_requests),
      cmocka_unit_test(test_bad_context_options),
      cmocka_unit_test(test_body_file_unreadable),
      cmocka_unit_test(test_bodies_are_sent),
      cmocka_unit_test(test_cancelled_keeps_the_response),
      cmocka_unit_test(test_address_and_timing),
      cmocka_unit_test(test_effective_url_of_a_reused_handle),
      cmocka_unit_test(test_headers_as_they_arrive),
      cmocka_unit_test(test_header_values_are_one_line),
      cmocka_unit_test(test_size_limit_keeps_the_start),
  };
  static const struct harness h = {.fx = &fx, .quiet = true};
  return harness_main(argc, argv, tests, &h);
}
