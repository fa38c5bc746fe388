/*
 * test_robotstxt.c - sl_options.robots against sluice-fixture, one host name
 * of its DNS zone per case so that each case is an origin of its own:
 * the group of each User-Agent's product token (the context's, the
 * request's, a header line's), longest match with Allow winning, the
 * message naming the rule, one fetch per origin and token; a 404 allows
 * everything; 503 and a refused connection disallow everything for the
 * backoff, which doubles, then robots.txt is asked again; redirects of
 * robots.txt (rules of the target for the first origin; more than five:
 * none), a redirect hop checked against its own origin's; Crawl-delay as
 * the host's interval and concurrency 1 (and a stricter limit of the
 * caller's kept); tasks waiting in stage ROBOTS (their deadline, a
 * cancel, the internal task listed); a group that does not count a
 * refusal.  Asserted from the fixture's journal and counts.
 *
 * argv[1] is the sluice-fixture binary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sluice.h"
#include "support/harness.h"

static struct fixture fx;
static const char *const zone[] = {"--zone", ".test=127.0.0.1,60", NULL};

#define MAX_PATHS 64

/* robots.txt of HOST answers as the stub's fields ANSWER say (JSON). */
static void robots_stub(const char *host, const char *answer)
{
  char stub[1024];
  snprintf(stub, sizeof(stub),
           "{\"path\": \"/robots.txt\", \"request_headers\": {\"Host\": "
           "\"%s:%d\"}, %s}",
           host, fx.port, answer);
  assert_int_equal(fixture_add_route(&fx, stub), 0);
}

/* robots.txt of HOST: status, body (JSON-escaped), and a delay. */
static void robots(const char *host, int status, const char *body, int delay)
{
  char answer[900];
  snprintf(answer, sizeof(answer),
           "\"status\": %d, \"body\": \"%s\", \"delay_ms\": %d", status, body,
           delay);
  robots_stub(host, answer);
}

static sl_ctx *ctx_new(struct sl_options *o)
{
  sl_ctx *ctx;
  o->dns_servers = fx.dns_server;
  o->robots = true;
  o->quiet = true;
  ctx = sl_ctx_new(o);
  assert_non_null(ctx);
  return ctx;
}

static sl_task *get(sl_ctx *ctx, const char *host, const char *path,
                    const char *ua, const char *const *headers)
{
  struct sl_request req = {0};
  req.url = fixture_url_host(&fx, host, path);
  req.user_agent = ua;
  req.headers = headers;
  req.flags = SL_REQ_FOLLOW_REDIRECTS;
  return sl_fetch(ctx, &req);
}

/* t ended DONE with 200, or FAILED with kind robots and this message
   (NULL: any). */
static void expect(sl_task *t, bool done, const char *msg)
{
  const struct sl_error *e;
  assert_int_equal(sl_task_state(t), done ? SL_DONE : SL_FAILED);
  assert_int_equal(sl_task_error(t, &e), SL_OK);
  if(done)
    return;
  assert_int_equal(e->kind, SL_ERR_ROBOTS);
  assert_int_equal(sl_task_attempts(t), 0);
  if(msg && strcmp(e->message, msg))
    fail_msg("message \"%s\", want \"%s\"", e->message, msg);
}

/* How many journaled requests have exactly this path. */
static long count(const char *path)
{
  static char paths[MAX_PATHS][FIXTURE_PATH_MAX];
  long n = fixture_paths(&fx, "/", paths, MAX_PATHS), k = 0;
  assert_true(n >= 0);
  for(long i = 0; i < n; i++)
    k += !strcmp(paths[i], path);
  return k;
}

static void test_groups_and_rules(void **state)
{
  static const char *const hdr[] = {"User-Agent: HdrBot/3", NULL};
  char msg[256];
  sl_task *t[8];
  sl_ctx *ctx;
  (void)state;
  fixture_journal_reset(&fx);
  robots("r1.test", 200,
         "User-agent: *\\nDisallow: /bytes/2\\nAllow: /bytes/20\\n\\n"
         "User-agent: sluice\\nDisallow: /bytes/3\\n\\n"
         "User-agent: hdrbot\\nDisallow: /bytes/\\n",
         0);
  ctx = ctx_new(&(struct sl_options){0});
  t[0] = get(ctx, "r1.test", "/bytes/3", NULL, NULL); /* "sluice/..." */
  t[1] = get(ctx, "r1.test", "/bytes/2", NULL, NULL);
  t[2] = get(ctx, "r1.test", "/bytes/2", "OtherBot/2.0", NULL); /* "*" */
  t[3] = get(ctx, "r1.test", "/bytes/20", "OtherBot/2.0", NULL);
  t[4] = get(ctx, "r1.test", "/bytes/3", "OtherBot/2.0", NULL);
  t[5] = get(ctx, "r1.test", "/bytes/5", NULL, hdr);
  assert_int_equal(sl_run(ctx), SL_OK);
  snprintf(msg, sizeof(msg),
           "/bytes/3 is disallowed by http://r1.test:%d/robots.txt for "
           "\"sluice\": Disallow: /bytes/3",
           fx.port);
  expect(t[0], false, msg);
  expect(t[1], true, NULL);
  snprintf(msg, sizeof(msg),
           "/bytes/2 is disallowed by http://r1.test:%d/robots.txt for "
           "\"otherbot\": Disallow: /bytes/2",
           fx.port);
  expect(t[2], false, msg);
  expect(t[3], true, NULL); /* the longer Allow */
  expect(t[4], true, NULL);
  expect(t[5], false, NULL);
  assert_int_equal(count("/robots.txt"), 3); /* one per product token */
  assert_int_equal(count("/bytes/3"), 1);
  assert_int_equal(count("/bytes/2"), 1);
  /* kept: more tasks of the origin ask for nothing again */
  t[6] = get(ctx, "r1.test", "/bytes/7", NULL, NULL);
  t[7] = get(ctx, "r1.test", "/bytes/3", NULL, NULL);
  assert_int_equal(sl_run(ctx), SL_OK);
  expect(t[6], true, NULL);
  expect(t[7], false, NULL);
  assert_int_equal(count("/robots.txt"), 3);
  sl_ctx_free(ctx);
}

static void test_missing_allows_all(void **state)
{
  sl_task *t[3];
  sl_ctx *ctx;
  (void)state;
  fixture_journal_reset(&fx);
  ctx = ctx_new(&(struct sl_options){0}); /* r2.test: a 404 */
  for(int i = 0; i < 3; i++)
    t[i] = get(ctx, "r2.test", "/bytes/1", NULL, NULL);
  assert_int_equal(sl_run(ctx), SL_OK);
  for(int i = 0; i < 3; i++)
    expect(t[i], true, NULL);
  assert_int_equal(count("/robots.txt"), 1);
  assert_int_equal(count("/bytes/1"), 3);
  sl_ctx_free(ctx);
}

/* One task on r3.test after waiting ms; it ends as `done` says. */
static sl_task *later(sl_ctx *ctx, int ms, bool done, const char *status)
{
  char msg[200];
  sl_task *t;
  usleep((useconds_t)ms * 1000);
  t = get(ctx, "r3.test", "/bytes/1", NULL, NULL);
  assert_int_equal(sl_run(ctx), SL_OK);
  snprintf(msg, sizeof(msg),
           "http://r3.test:%d/robots.txt is unreachable "
           "(%s): every path is disallowed for",
           fx.port, status);
  if(!done) {
    const struct sl_error *e;
    expect(t, false, NULL);
    sl_task_error(t, &e);
    if(strncmp(e->message, msg, strlen(msg)))
      fail_msg("message \"%s\", want \"%s...\"", e->message, msg);
  } else
    expect(t, true, NULL);
  return t;
}

static void test_unreachable_backoff(void **state)
{
  struct sl_options o = {0};
  sl_ctx *ctx;
  (void)state;
  fixture_journal_reset(&fx);
  robots_stub("r3.test",
              "\"sequence\": [{\"status\": 503}, {\"status\": "
              "503}, {\"status\": 200, \"body\": \"User-agent: *\"}]");
  o.robots_retry_ms = 400;
  ctx = ctx_new(&o);
  sl_task_free(later(ctx, 0, false, "status 503"));   /* 1st: 400 ms */
  sl_task_free(later(ctx, 150, false, "status 503")); /* still down */
  assert_int_equal(count("/robots.txt"), 1);
  sl_task_free(later(ctx, 350, false, "status 503")); /* 2nd: 800 ms */
  sl_task_free(later(ctx, 400, false, "status 503")); /* still down */
  assert_int_equal(count("/robots.txt"), 2);
  sl_task_free(later(ctx, 500, true, NULL)); /* 3rd: the rules */
  assert_int_equal(count("/robots.txt"), 3);
  assert_int_equal(count("/bytes/1"), 1);
  sl_ctx_free(ctx);

  /* no answer at all: nothing listens on port 1 */
  ctx = ctx_new(&(struct sl_options){0});
  {
    struct sl_request req = {0};
    const struct sl_error *e;
    sl_task *t;
    req.url = "http://127.0.0.1:1/x";
    t = sl_fetch(ctx, &req);
    assert_int_equal(sl_run(ctx), SL_OK);
    expect(t, false, NULL);
    sl_task_error(t, &e);
    assert_non_null(strstr(e->message, "http://127.0.0.1:1/robots.txt is "
                                       "unreachable (connect: "));
    sl_task_free(t);
  }
  sl_ctx_free(ctx);
}

static void test_redirects(void **state)
{
  const struct sl_error *e;
  char stub[300];
  sl_task *t[5];
  sl_ctx *ctx;
  (void)state;
  fixture_journal_reset(&fx);
  /* r4's robots.txt is r5's rules.txt; r6's goes through six redirects */
  snprintf(stub, sizeof(stub),
           "\"status\": 301, \"headers\": {\"Location\": "
           "\"http://r5.test:%d/rules.txt\"}",
           fx.port);
  robots_stub("r4.test", stub);
  assert_int_equal(fixture_add_route(&fx,
                                     "{\"path\": \"/rules.txt\", \"body\": "
                                     "\"User-agent: *\\nDisallow: /bytes/\"}"),
                   0);
  robots_stub("r6.test", "\"status\": 302, \"headers\": {\"Location\": "
                         "\"/redirect/5\"}");
  ctx = ctx_new(&(struct sl_options){0});
  t[0] = get(ctx, "r4.test", "/bytes/1", NULL, NULL);
  t[1] = get(ctx, "r4.test", "/status/204", NULL, NULL);
  t[2] = get(ctx, "r4.test", "/redirect/1", NULL, NULL); /* to /bytes/10 */
  t[3] = get(ctx, "r6.test", "/bytes/2", NULL, NULL);
  assert_int_equal(sl_run(ctx), SL_OK);
  expect(t[0], false, NULL);
  assert_int_equal(sl_task_state(t[1]), SL_DONE);
  assert_int_equal(sl_task_state(t[2]), SL_FAILED); /* its hop, refused */
  assert_int_equal(sl_task_error(t[2], &e), SL_OK);
  assert_int_equal(e->kind, SL_ERR_ROBOTS);
  assert_non_null(strstr(e->message, "/bytes/10 is disallowed by"));
  expect(t[3], true, NULL); /* more than five redirects: no rules */
  assert_int_equal(count("/rules.txt"), 1);
  assert_int_equal(count("/robots.txt"), 2);
  assert_int_equal(count("/redirect/1"), 2); /* t[2] and r6's fifth */
  assert_int_equal(count("/bytes/10"), 0);
  assert_int_equal(count("/bytes/1"), 0);
  for(int i = 0; i < 4; i++)
    sl_task_free(t[i]);
  sl_ctx_free(ctx);
}

/* N tasks on HOST; the arrivals the fixture saw for it, robots.txt's
   first: their span, the shortest gap, the most in flight. */
static void spaced(sl_ctx *ctx, const char *host, int n, double *span,
                   double *gap, long *max_in_flight)
{
  double at[16];
  char key[64];
  struct fixture_counters c;
  long k;
  for(int i = 0; i < n; i++)
    sl_task_on_done(get(ctx, host, "/delay/20", NULL, NULL), harness_free_task,
                    NULL);
  assert_int_equal(sl_run(ctx), SL_OK);
  snprintf(key, sizeof(key), "%s:%d", host, fx.port);
  k = fixture_arrivals(&fx, key, at, 16);
  assert_int_equal(k, n + 1);
  *span = at[k - 1] - at[0];
  *gap = 1e9;
  for(long i = 1; i < k; i++)
    if(at[i] - at[i - 1] < *gap)
      *gap = at[i] - at[i - 1];
  assert_int_equal(fixture_stats(&fx, key, &c), 0);
  *max_in_flight = c.max_in_flight;
}

static void test_crawl_delay(void **state)
{
  struct sl_options o = {0};
  struct sl_host_limits stricter = {0};
  char key[64];
  double span, gap;
  long most;
  sl_ctx *ctx;
  (void)state;
  assert_int_equal(fixture_reset(&fx), 0);
  robots("r7.test", 200, "User-agent: *\\nCrawl-delay: 0.2\\n", 0);
  robots("r8.test", 200, "User-agent: *\\nCrawl-delay: 0.2\\n", 0);
  o.per_host = 4;
  o.burst = 4; /* an interval holds between any two starts all the same */
  ctx = ctx_new(&o);
  spaced(ctx, "r7.test", 5, &span, &gap, &most);
  assert_int_equal(most, 1);
  assert_true(span >= 0.9); /* 5 intervals after robots.txt */
  assert_true(gap >= 0.1);  /* GCRA: never under half of one */
  /* the caller's 400 ms is stricter: kept */
  snprintf(key, sizeof(key), "r8.test:%d", fx.port);
  stricter.max_conns = 1;
  stricter.interval_ms = 400;
  assert_int_equal(sl_host_limits_set(ctx, key, &stricter), SL_OK);
  spaced(ctx, "r8.test", 3, &span, &gap, &most);
  assert_int_equal(most, 1);
  assert_true(span >= 1.1); /* robots.txt and 3 pages, 400 ms apart */
  /* no Crawl-delay (a 404): the caller's interval alone, burst 4 or not */
  snprintf(key, sizeof(key), "r10.test:%d", fx.port);
  stricter.interval_ms = 300;
  assert_int_equal(sl_host_limits_set(ctx, key, &stricter), SL_OK);
  spaced(ctx, "r10.test", 3, &span, &gap, &most);
  assert_true(gap >= 0.15 && span >= 0.8);
  sl_ctx_free(ctx);
}

static bool find_robots(sl_task *t, void *ud)
{
  if(!strcmp(sl_task_name(t), "robots.txt") && !sl_task_userdata(t))
    *(int *)ud += 1;
  return true;
}

struct waiting {
  sl_ctx *ctx;
  sl_task *cancel;
  int listed;
};

static void midway(void *ud)
{
  struct waiting *w = ud;
  sl_ctx_foreach_task(w->ctx, find_robots, &w->listed);
  assert_int_equal(sl_task_state(w->cancel), SL_PENDING);
  assert_true(sl_task_cancel(w->cancel, "not now"));
}

static void test_waiting_tasks(void **state)
{
  struct waiting w = {0};
  struct sl_request req = {0};
  const struct sl_error *e;
  sl_group *g;
  sl_task *t[4];
  (void)state;
  fixture_journal_reset(&fx);
  robots("r9.test", 200, "User-agent: *\\nDisallow: /bytes/9\\n", 300);
  w.ctx = ctx_new(&(struct sl_options){0});
  req.url = fixture_url_host(&fx, "r9.test", "/bytes/1");
  req.timeout_ms = 100;
  t[0] = sl_fetch(w.ctx, &req);
  t[1] = w.cancel = get(w.ctx, "r9.test", "/bytes/2", NULL, NULL);
  g = sl_group_new(w.ctx, NULL, 0); /* fail fast, but not for robots */
  req.timeout_ms = 0;
  t[2] = sl_group_fetch(g, &req);
  req.url = fixture_url_host(&fx, "r9.test", "/bytes/9");
  t[3] = sl_group_fetch(g, &req);
  sl_call_later(w.ctx, 50, midway, &w);
  assert_int_equal(sl_run(w.ctx), SL_OK);
  assert_int_equal(w.listed, 1);
  assert_int_equal(sl_task_state(t[0]), SL_FAILED);
  sl_task_error(t[0], &e);
  assert_int_equal(e->kind, SL_ERR_TIMEOUT);
  assert_non_null(strstr(e->message, "while waiting for its robots.txt"));
  assert_int_equal(sl_task_state(t[1]), SL_CANCELLED);
  expect(t[2], true, NULL);
  expect(t[3], false, NULL);
  assert_int_equal(sl_group_failures(g), 0);
  assert_int_equal(sl_group_wait(g), SL_OK);
  assert_int_equal(count("/bytes/1"), 1);
  assert_int_equal(count("/bytes/2"), 0);
  for(int i = 0; i < 4; i++)
    sl_task_free(t[i]);
  sl_group_free(g);
  sl_ctx_free(w.ctx);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_groups_and_rules),
      cmocka_unit_test(test_missing_allows_all),
      cmocka_unit_test(test_unreachable_backoff),
      cmocka_unit_test(test_redirects),
      cmocka_unit_test(test_crawl_delay),
      cmocka_unit_test(test_waiting_tasks),
  };
  static const struct harness h = {.fx = &fx, .dns_args = zone};
  return harness_main(argc, argv, tests, &h);
}
