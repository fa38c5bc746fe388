/*
 * test_queue.c - sl_queue against sluice-fixture: back-pressure (put
 * answers full, on_space says when there is room), workers as the
 * server counts them, join (blocking, and on_join on a caller's loop,
 * which then ends), priority order as the server's journal shows it,
 * manual task_done, requests copied whole, a queue freed from its own
 * callback and one left to sl_ctx_free.
 *
 * argv[1] is the sluice-fixture binary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"
#include "support/harness.h"

static struct fixture fx; /* started by harness_setup */

struct feed {
  sl_queue *q;
  int put, want;    /* put so far; how many in all */
  int full, spaces; /* SL_EFULL answers; on_space calls */
  int done, ok;     /* on_done calls; DONE with 200 */
  int joins;
  const char *path;
};

/* Puts until the queue is full or every request is in. */
static void fill(struct feed *f)
{
  while(f->put < f->want) {
    struct sl_request req = harness_req(f->path, 0);
    int rc = sl_queue_put(f->q, &req);
    if(rc == SL_EFULL) {
      f->full++;
      return;
    }
    assert_int_equal(rc, SL_OK);
    f->put++;
  }
}

static void on_space(sl_queue *q, void *ud)
{
  struct feed *f = ud;
  (void)q;
  f->spaces++;
  fill(f);
}

static void on_done(sl_queue *q, sl_task *t, void *ud)
{
  struct feed *f = ud;
  const struct sl_response *r;
  (void)q;
  f->done++;
  if(sl_task_response(t, &r) == SL_OK && r->status == 200)
    f->ok++;
}

static void on_join(sl_queue *q, void *ud)
{
  struct feed *f = ud;
  (void)q;
  f->joins++;
}

/* maxsize 4, 3 workers: put answers full at the fifth, on_space asks for
   more as workers take them, never more than 3 at the server at once,
   and join runs the loop until all 40 are done. */
static void test_back_pressure_and_join(void **state)
{
  sl_ctx *ctx = harness_ctx(50);
  struct sl_queue_options o = {0};
  struct feed f = {0};
  struct fixture_counters c;
  (void)state;
  assert_int_equal(fixture_reset(&fx), 0);
  f.want = 40;
  f.path = "/delay/20";
  o.maxsize = 4;
  o.workers = 3;
  o.on_space = on_space;
  o.on_done = on_done;
  o.on_join = on_join;
  o.ud = &f;
  f.q = sl_queue_new(ctx, &o);
  assert_non_null(f.q);
  fill(&f);
  assert_int_equal(f.put, 4);
  assert_int_equal(f.full, 1);
  assert_int_equal(sl_queue_size(f.q), 4);
  assert_int_equal(sl_queue_join(f.q), SL_OK);
  assert_int_equal(f.put, 40);
  assert_int_equal(f.done, 40);
  assert_int_equal(f.ok, 40);
  assert_true(f.spaces >= 10 && f.spaces == f.full);
  assert_int_equal(sl_queue_unfinished(f.q), 0);
  assert_int_equal(fixture_stats(&fx, fx.host, &c), 0);
  assert_int_equal(c.requests, 40);
  assert_int_equal(c.max_in_flight, 3);
  sl_run(ctx); /* the join callback, due on the loop */
  assert_int_equal(f.joins, 1);
  sl_queue_free(f.q);
  sl_ctx_free(ctx);
}

/* One worker and a blocker: the requests put in scrambled priorities
   reach the server lowest first, in the order put within one. */
static void test_priority_order(void **state)
{
  enum { N = 20 };
  sl_ctx *ctx = harness_ctx(50);
  struct sl_queue_options o = {0};
  struct sl_request req;
  sl_queue *q;
  (void)state;
  assert_int_equal(fixture_journal_reset(&fx), 0);
  o.workers = 1;
  q = sl_queue_new(ctx, &o);
  for(int i = 0; i < N; i++) {
    char path[64];
    int p = (i * 7) % 5 - 2;
    snprintf(path, sizeof(path), "/bytes/2?p=%d&i=%d", p, i);
    req = harness_req(path, 0);
    req.priority = p;
    assert_int_equal(sl_queue_put(q, &req), SL_OK);
  }
  assert_int_equal(sl_queue_join(q), SL_OK);
  harness_assert_priority_order(&fx, "/bytes/2", N);
  sl_queue_free(q);
  sl_ctx_free(ctx);
}

/* On a caller's loop: join answers SL_EBUSY, on_join runs instead, and
   ev_run returns once the work is done.  Requests are copied whole: the
   caller's strings are gone before they are sent. */
static void test_caller_loop_and_copies(void **state)
{
  struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
  struct sl_options so = {0};
  struct sl_queue_options o = {0};
  struct feed f = {0};
  sl_ctx *ctx;
  (void)state;
  so.loop = loop;
  ctx = sl_ctx_new(&so);
  o.on_done = on_done;
  o.on_join = on_join;
  o.ud = &f;
  f.q = sl_queue_new(ctx, &o);
  for(int i = 0; i < 10; i++) {
    char *url = strdup(fixture_url(&fx, "/echo"));
    char *line = strdup("X-Item: copied");
    const char *lines[] = {line, NULL};
    char *body = strdup("abc");
    struct sl_request req = {0};
    req.url = url;
    req.headers = lines;
    req.body = body;
    req.body_len = 3;
    assert_int_equal(sl_queue_put(f.q, &req), SL_OK);
    memset(url, 'x', strlen(url));
    memset(line, 'x', strlen(line));
    free(url);
    free(line);
    free(body);
  }
  assert_int_equal(sl_queue_join(f.q), SL_EBUSY);
  ev_run(loop, 0);
  assert_int_equal(f.done, 10);
  assert_int_equal(f.ok, 10);
  assert_int_equal(f.joins, 1);
  sl_ctx_free(ctx); /* frees the queue too */
  ev_loop_destroy(loop);
}

struct manual {
  sl_queue *q;
  sl_task *held[8];
  int nheld, joined;
};

static void hold_item(sl_queue *q, sl_task *t, void *ud)
{
  struct manual *m = ud;
  (void)q;
  m->held[m->nheld++] = t; /* only the pointer, as a token */
}

static void manual_join(sl_queue *q, void *ud)
{
  struct manual *m = ud;
  (void)q;
  m->joined++;
}

/* manual_done: an item stays in progress (holding its worker) after
   on_done until task_done; join waits for the last task_done. */
static void test_manual_task_done(void **state)
{
  sl_ctx *ctx = harness_ctx(50);
  struct sl_queue_options o = {0};
  struct manual m = {0};
  struct sl_request req = harness_req("/bytes/1", 0);
  (void)state;
  o.workers = 2;
  o.manual_done = true;
  o.on_done = hold_item;
  o.on_join = manual_join;
  o.ud = &m;
  m.q = sl_queue_new(ctx, &o);
  for(int i = 0; i < 4; i++)
    assert_int_equal(sl_queue_put(m.q, &req), SL_OK);
  assert_int_equal(sl_queue_task_done(m.q), SL_ESTATE);
  sl_run(ctx);
  /* two fetched, both held: the others wait for a worker */
  assert_int_equal(m.nheld, 2);
  assert_int_equal(sl_queue_unfinished(m.q), 4);
  assert_int_equal(sl_queue_task_done(m.q), SL_OK);
  assert_int_equal(sl_queue_task_done(m.q), SL_OK);
  sl_run(ctx); /* the two others */
  assert_int_equal(m.nheld, 4);
  assert_int_equal(sl_queue_unfinished(m.q), 2);
  assert_int_equal(m.joined, 0);
  assert_int_equal(sl_queue_task_done(m.q), SL_OK);
  assert_int_equal(sl_queue_task_done(m.q), SL_OK);
  assert_int_equal(sl_queue_task_done(m.q), SL_ESTATE);
  sl_run(ctx); /* on_join */
  assert_int_equal(sl_queue_unfinished(m.q), 0);
  assert_int_equal(m.joined, 1);
  sl_queue_free(m.q);
  sl_ctx_free(ctx);
}

static void free_queue_cb(sl_queue *q, sl_task *t, void *ud)
{
  (void)t;
  (*(int *)ud)++;
  sl_queue_free(q);
}

/* Freed from its own on_done: the other tasks are cancelled, no callback
   runs again, nothing leaks (ASan). */
static void test_free_inside_callback(void **state)
{
  sl_ctx *ctx = harness_ctx(50);
  struct sl_queue_options o = {0};
  struct sl_request fast = harness_req("/bytes/1", 0);
  struct sl_request slow = harness_req("/delay/5000", 0);
  int calls = 0;
  sl_queue *q;
  (void)state;
  o.on_done = free_queue_cb;
  o.ud = &calls;
  q = sl_queue_new(ctx, &o);
  assert_int_equal(sl_queue_put(q, &fast), SL_OK);
  for(int i = 0; i < 5; i++)
    assert_int_equal(sl_queue_put(q, &slow), SL_OK);
  sl_run(ctx);
  assert_int_equal(calls, 1);
  sl_ctx_free(ctx);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_back_pressure_and_join),
      cmocka_unit_test(test_priority_order),
      cmocka_unit_test(test_caller_loop_and_copies),
      cmocka_unit_test(test_manual_task_done),
      cmocka_unit_test(test_free_inside_callback),
  };
  static const struct harness h = {.fx = &fx};
  return harness_main(argc, argv, tests, &h);
}
