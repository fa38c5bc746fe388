/*
 * test_combinators.c - asyncio's combinators on sluice tasks, against
 * sluice-fixture: gather keeps input order, groups cancel siblings on the
 * first failure (and the server sees no request after it), nested groups,
 * group deadlines, wait's three conditions and its timeout, as_completed
 * in completion order with a timeout, deadlines that pass while a task is
 * still queued, cancelling 1000 in-flight transfers (from outside the
 * loop, and from a callback: closed after it, a host's limit kept),
 * current_task,
 * foreach, the never-retrieved warning, call_later and signals, readers
 * (a pipe read as it comes, keeping sl_run going only when asked), and
 * the re-entrant cases (a group freed from its own completion).
 *
 * argv[1] is the sluice-fixture binary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ev.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sluice.h"
#include "support/harness.h"

static struct fixture fx; /* started by harness_setup */

static void free_all(sl_task **t, size_t n)
{
  while(n--)
    sl_task_free(t[n]);
}

#define FAIL500 SL_REQ_FAIL_ON_HTTP_ERROR

/* ---- gather ----------------------------------------------------------- */

static void test_gather_input_order(void **state)
{
  sl_ctx *ctx = harness_ctx(8);
  sl_task *t[3];
  struct sl_outcome out[3];
  (void)state;
  t[0] = harness_get(ctx, "/delay/300", 0);
  t[1] = harness_get(ctx, "/delay/10", 0);
  t[2] = harness_get(ctx, "/bytes/7", 0);
  assert_int_equal(sl_gather(t, 3, 0, out, NULL), SL_OK);
  for(int i = 0; i < 3; i++) {
    assert_ptr_equal(out[i].task, t[i]);
    assert_int_equal(out[i].state, SL_DONE);
    assert_non_null(out[i].response);
    assert_null(out[i].error);
  }
  assert_int_equal(out[2].response->bytes, 7);
  free_all(t, 3);
  sl_ctx_free(ctx);
}

static void test_gather_first_failure(void **state)
{
  sl_ctx *ctx = harness_ctx(8);
  sl_task *t[3];
  struct sl_outcome out[3];
  size_t first = 99;
  double t0 = ev_time();
  (void)state;
  t[0] = harness_get(ctx, "/delay/800", 0);
  t[1] = harness_get(ctx, "/status/500", FAIL500);
  t[2] = harness_get(ctx, "/delay/600", 0);
  /* reported at once; the others keep running, as in asyncio */
  assert_int_equal(sl_gather(t, 3, 0, out, &first), SL_EFAILED);
  assert_true(ev_time() - t0 < 0.5);
  assert_int_equal(first, 1);
  assert_int_equal(out[1].state, SL_FAILED);
  assert_int_equal(out[1].error->kind, SL_ERR_HTTP);
  assert_int_equal(out[1].response->status, 500);
  assert_int_equal(out[0].state, SL_RUNNING);
  assert_null(out[0].response);
  assert_int_equal(sl_task_state(t[2]), SL_RUNNING);
  /* with RETURN_ERRORS every slot is filled */
  assert_int_equal(sl_gather(t, 3, SL_RETURN_ERRORS, out, &first), SL_OK);
  assert_int_equal(out[0].state, SL_DONE);
  assert_int_equal(out[1].state, SL_FAILED);
  assert_int_equal(out[2].state, SL_DONE);
  free_all(t, 3);
  sl_ctx_free(ctx);
}

/* ---- groups ----------------------------------------------------------- */

static void test_group_failure_cancels_siblings(void **state)
{
  enum { N = 20 };
  sl_ctx *ctx = harness_ctx(4);
  sl_group *g = sl_group_new(ctx, NULL, 0);
  sl_task *t[N];
  sl_task *const *errs;
  struct fixture_counters c;
  double t0;
  int i;
  (void)state;
  assert_int_equal(fixture_reset(&fx), 0);
  t0 = ev_time();
  /* four slots: tasks 0-3 run, the third fails at once */
  for(i = 0; i < N; i++)
    t[i] = i == 2 ? harness_group_get(g, "/status/500", FAIL500)
                  : harness_group_get(g, "/delay/2000", 0);
  assert_int_equal(sl_group_wait(g), SL_EFAILED);
  assert_true(ev_time() - t0 < 1.0); /* well under the 2 s siblings */
  assert_true(sl_group_done(g));
  assert_int_equal(sl_group_errors(g, &errs), 1);
  assert_ptr_equal(errs[0], t[2]);
  for(i = 0; i < N; i++) {
    const struct sl_error *e;
    if(i == 2)
      continue;
    assert_int_equal(sl_task_state(t[i]), SL_CANCELLED);
    sl_task_error(t[i], &e);
    assert_int_equal(e->kind, SL_ERR_CANCELLED);
    assert_non_null(strstr(e->message, "/status/500"));
    assert_non_null(strstr(e->message, "failed"));
  }
  /* no new task once the group failed */
  assert_null(harness_group_get(g, "/bytes/1", 0));
  /* the server saw at most the four that held the slots, and nothing
     arrives after the failure */
  assert_int_equal(fixture_stats(&fx, fx.host, &c), 0);
  {
    long seen = c.requests;
    assert_true(seen >= 1 && seen <= 4);
    usleep(300 * 1000);
    assert_int_equal(fixture_stats(&fx, fx.host, &c), 0);
    assert_int_equal(c.requests, seen);
  }
  free_all(t, N);
  sl_group_free(g);
  sl_ctx_free(ctx);
}

/* Transfers that all fail at once (connections refused): the first
   failure cancels the siblings, each of which ends FAILED or CANCELLED,
   once.  When curl already holds a cancelled sibling's result, the loop
   drops it (unit/test_loop.c shows that without timing). */
static void test_group_siblings_failing_together(void **state)
{
  enum { N = 50 };
  sl_ctx *ctx = harness_ctx(N);
  sl_group *g = sl_group_new(ctx, NULL, 0);
  sl_task *t[N];
  int i, failed = 0, cancelled = 0;
  (void)state;
  for(i = 0; i < N; i++) {
    struct sl_request r = {0};
    r.url = "http://127.0.0.1:1/"; /* nothing listens on port 1 */
    assert_non_null(t[i] = sl_group_fetch(g, &r));
  }
  assert_int_equal(sl_group_wait(g), SL_EFAILED);
  for(i = 0; i < N; i++) {
    enum sl_state st = sl_task_state(t[i]);
    failed += st == SL_FAILED;
    cancelled += st == SL_CANCELLED;
  }
  assert_true(failed >= 1);
  assert_int_equal(failed + cancelled, N);
  free_all(t, N);
  sl_group_free(g);
  sl_ctx_free(ctx);
}

/* A group that fits a site: 404s count (http_errors), two are
   tolerated, the third fails the group and cancels the slow rest with a
   message that says so; the 404 tasks stay DONE. */
static void test_group_tolerates_failures(void **state)
{
  sl_ctx *ctx = harness_ctx(16);
  sl_group *g = sl_group_new(ctx, NULL, 0);
  struct sl_group_policy p = {2, true, 0};
  sl_task *nf[3], *slow[4];
  sl_task *const *errs;
  const struct sl_error *e;
  (void)state;
  assert_int_equal(sl_group_set_policy(g, &p), SL_OK);
  for(int i = 0; i < 4; i++)
    slow[i] = harness_group_get(g, "/delay/2000", 0);
  for(int i = 0; i < 3; i++)
    nf[i] = harness_group_get(g, "/status/404", 0);
  assert_int_equal(sl_group_wait(g), SL_EFAILED);
  assert_int_equal(sl_group_failures(g), 3);
  assert_int_equal(sl_group_errors(g, &errs), 3);
  for(int i = 0; i < 3; i++)
    assert_int_equal(sl_task_state(nf[i]), SL_DONE);
  for(int i = 0; i < 4; i++) {
    assert_int_equal(sl_task_state(slow[i]), SL_CANCELLED);
    sl_task_error(slow[i], &e);
    assert_non_null(
        strstr(e->message, "3 failures, more than the 2 tolerated"));
    assert_non_null(strstr(e->message, "HTTP status 404"));
  }
  free_all(nf, 3);
  free_all(slow, 4);
  sl_group_free(g);
  sl_ctx_free(ctx);
}

/* A crawl of sites: each site a child group that fails fast, the crawl a
   parent that tolerates any number of failed sites and reports the
   first two; one site failing leaves the others running.  The tasks free
   themselves as they end: the groups keep only the two reported. */
static void test_sites_in_a_crawl(void **state)
{
  sl_ctx *ctx = harness_ctx(16);
  sl_group *crawl = sl_group_new(ctx, NULL, 0);
  sl_group *site[3];
  struct sl_group_policy any = {SIZE_MAX, false, 2};
  sl_task *good;
  sl_task *const *errs;
  (void)state;
  assert_int_equal(sl_group_set_policy(crawl, &any), SL_OK);
  for(int s = 0; s < 3; s++)
    site[s] = sl_group_new(ctx, crawl, 0);
  good = harness_group_get(site[0], "/delay/100", 0);
  for(int s = 1; s < 3; s++)
    for(int i = 0; i < 5; i++) {
      sl_task *t = harness_group_get(
          site[s], i ? "/delay/1000" : "/status/500", i ? 0 : FAIL500);
      sl_task_on_done(t, harness_free_task, NULL);
    }
  assert_int_equal(sl_group_wait(crawl), SL_OK);
  assert_int_equal(sl_task_state(good), SL_DONE);
  assert_int_equal(sl_group_wait(site[1]), SL_EFAILED);
  assert_int_equal(sl_group_wait(site[0]), SL_OK);
  assert_int_equal(sl_group_failures(crawl), 2);
  assert_int_equal(sl_group_errors(crawl, &errs), 2);
  assert_int_equal(sl_task_state(errs[0]), SL_FAILED);
  sl_task_free(good);
  sl_group_free(crawl);
  sl_ctx_free(ctx);
}

/* Failures past max_errors are counted, not kept. */
static void test_group_report_is_bounded(void **state)
{
  sl_ctx *ctx = harness_ctx(16);
  sl_group *g = sl_group_new(ctx, NULL, 0);
  struct sl_group_policy p = {SIZE_MAX, false, 3};
  sl_task *const *errs;
  (void)state;
  sl_group_set_policy(g, &p);
  for(int i = 0; i < 20; i++)
    sl_task_on_done(harness_group_get(g, "/status/503", FAIL500),
                    harness_free_task, NULL);
  assert_int_equal(sl_group_wait(g), SL_OK);
  assert_int_equal(sl_group_failures(g), 20);
  assert_int_equal(sl_group_errors(g, &errs), 3);
  sl_group_free(g);
  sl_ctx_free(ctx);
}

static void test_nested_groups(void **state)
{
  sl_ctx *ctx = harness_ctx(16);
  sl_group *outer = sl_group_new(ctx, NULL, 0);
  sl_group *inner = sl_group_new(ctx, outer, 0);
  sl_group *other = sl_group_new(ctx, outer, 0);
  sl_task *a = harness_group_get(outer, "/delay/2000", 0);
  sl_task *b = harness_group_get(inner, "/status/503", FAIL500);
  sl_task *c = harness_group_get(other, "/delay/2000", 0);
  sl_task *const *errs;
  double t0 = ev_time();
  (void)state;
  /* a failure in a child fails its parent: everything is cancelled */
  assert_int_equal(sl_group_wait(outer), SL_EFAILED);
  assert_true(ev_time() - t0 < 1.0);
  assert_int_equal(sl_task_state(a), SL_CANCELLED);
  assert_int_equal(sl_task_state(b), SL_FAILED);
  assert_int_equal(sl_task_state(c), SL_CANCELLED);
  assert_int_equal(sl_group_errors(outer, &errs), 1);
  assert_int_equal(sl_group_errors(inner, &errs), 1);
  assert_int_equal(sl_group_errors(other, &errs), 0);
  sl_task_free(a);
  sl_task_free(b);
  sl_task_free(c);
  sl_group_free(outer); /* frees the children too */
  /* cancelling a parent cancels its children */
  outer = sl_group_new(ctx, NULL, 0);
  inner = sl_group_new(ctx, outer, 0);
  a = harness_group_get(inner, "/delay/2000", 0);
  assert_true(sl_group_cancel(outer, "stop"));
  assert_int_equal(sl_group_wait(outer), SL_OK); /* cancelled, no error */
  assert_int_equal(sl_task_state(a), SL_CANCELLED);
  assert_null(harness_group_get(inner, "/bytes/1", 0));
  sl_task_free(a);
  sl_group_free(outer);
  sl_ctx_free(ctx);
}

static void test_group_deadline(void **state)
{
  sl_ctx *ctx = harness_ctx(2);
  sl_group *g = sl_group_new(ctx, NULL, 300);
  sl_task *t[4];
  double t0 = ev_time(), took;
  int timeouts = 0, i;
  (void)state;
  for(i = 0; i < 4; i++) /* two run, two wait for a slot */
    t[i] = harness_group_get(g, "/delay/3000", 0);
  assert_int_equal(sl_group_wait(g), SL_EFAILED);
  took = ev_time() - t0;
  assert_true(took >= 0.29);
  assert_true(took < 1.5);
  for(i = 0; i < 4; i++) {
    const struct sl_error *e;
    assert_true(sl_task_is_final(t[i]));
    sl_task_error(t[i], &e);
    timeouts += e->kind == SL_ERR_TIMEOUT;
  }
  assert_true(timeouts >= 1);
  free_all(t, 4);
  sl_group_free(g);
  sl_ctx_free(ctx);
}

static void free_group_cb(sl_group *g, void *ud)
{
  sl_ctx *ctx = ud;
  sl_group *next;
  /* re-entrant: free the group from its own completion, and start a new
     one from here */
  sl_group_free(g);
  next = sl_group_new(ctx, NULL, 0);
  assert_non_null(next);
  {
    struct sl_request r = harness_req("/bytes/3", 0);
    sl_task *t = sl_group_fetch(next, &r);
    sl_task_free(t); /* detached: still runs */
  }
}

static void test_group_freed_in_own_callback(void **state)
{
  sl_ctx *ctx = harness_ctx(4);
  sl_group *g = sl_group_new(ctx, NULL, 0);
  sl_task *t = harness_group_get(g, "/bytes/5", 0);
  (void)state;
  assert_int_equal(sl_group_on_done(g, free_group_cb, ctx), SL_OK);
  assert_int_equal(sl_group_on_done(g, free_group_cb, ctx), SL_EINVAL);
  sl_task_free(t);
  assert_int_equal(sl_run(ctx), SL_OK);
  sl_ctx_free(ctx); /* frees the group made in the callback */
}

/* ---- wait ------------------------------------------------------------- */

static void test_wait_conditions(void **state)
{
  sl_ctx *ctx = harness_ctx(8);
  sl_task *t[3], *done[3], *pending[3];
  size_t nd, np;
  (void)state;
  t[0] = harness_get(ctx, "/delay/1000", 0);
  t[1] = harness_get(ctx, "/delay/10", 0);
  t[2] = harness_get(ctx, "/delay/1500", 0);
  assert_int_equal(
      sl_wait(t, 3, SL_FIRST_COMPLETED, 0, done, &nd, pending, &np), SL_OK);
  assert_int_equal(nd, 1);
  assert_ptr_equal(done[0], t[1]);
  assert_int_equal(np, 2);
  /* a timeout leaves the pending ones running */
  assert_int_equal(
      sl_wait(t, 3, SL_ALL_COMPLETED, 200, done, &nd, pending, &np),
      SL_ETIMEOUT);
  assert_int_equal(np, 2);
  assert_int_equal(sl_task_state(t[0]), SL_RUNNING);
  assert_int_equal(sl_task_state(t[2]), SL_RUNNING);
  sl_task_cancel(t[0], NULL);
  sl_task_cancel(t[2], NULL);
  free_all(t, 3);
  /* FIRST_ERROR: the failure, not the first completion */
  t[0] = harness_get(ctx, "/delay/10", 0);
  t[1] = harness_get(ctx, "/delay/100?x", 0);
  t[2] = harness_get(ctx, "/delay/2000", 0);
  sl_task_cancel(t[1], NULL); /* a cancellation is not an error */
  sl_task_free(t[1]);
  t[1] = harness_get(ctx, "/status/500", FAIL500);
  assert_int_equal(sl_wait(t, 3, SL_FIRST_ERROR, 5000, done, &nd, NULL, &np),
                   SL_OK);
  assert_int_equal(sl_task_state(t[1]), SL_FAILED);
  assert_true(nd >= 1 && np >= 1); /* /delay/10 may still be running */
  assert_int_equal(sl_task_state(t[2]), SL_RUNNING);
  sl_task_cancel(t[2], NULL);
  free_all(t, 3);
  sl_ctx_free(ctx);
}

/* ---- as_completed ----------------------------------------------------- */

/* ---- gather and wait on a caller's loop -------------------------------- */

struct told {
  int calls, rc;
  sl_task *first;
};

static void tell(sl_waiter *w, int rc, sl_task *first, void *ud)
{
  struct told *t = ud;
  (void)w;
  t->calls++;
  t->rc = rc;
  t->first = first;
  sl_waiter_cancel(w); /* its callback is running: a no-op */
}

static void never(sl_waiter *w, int rc, sl_task *first, void *ud)
{
  (void)w;
  (void)rc;
  (void)first;
  (void)ud;
  fail_msg("a cancelled waiter was called");
}

/* The callback forms of gather and wait on a loop the caller runs: each
   calls back once, on the loop (never from inside the start, even for
   tasks already final), with the task that ended the wait; the caller
   may free its tasks meanwhile; a cancelled waiter never calls. */
static void test_gather_and_wait_callbacks(void **state)
{
  struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
  struct sl_options o = {0};
  struct told g = {0}, all = {0}, first = {0}, late = {0}, again = {0};
  sl_task *t[3], *slow[1];
  sl_ctx *ctx;
  (void)state;
  o.loop = loop;
  o.quiet = true;
  ctx = sl_ctx_new(&o);
  t[0] = harness_get(ctx, "/delay/200", 0);
  t[1] = harness_get(ctx, "/status/500", FAIL500);
  t[2] = harness_get(ctx, "/bytes/1", 0);
  slow[0] = harness_get(ctx, "/delay/500", 0);
  assert_non_null(sl_gather_start(t, 3, 0, tell, &g));
  assert_non_null(sl_gather_start(t, 3, SL_RETURN_ERRORS, tell, &all));
  assert_non_null(sl_wait_start(t, 3, SL_FIRST_COMPLETED, 0, tell, &first));
  assert_non_null(sl_wait_start(slow, 1, SL_ALL_COMPLETED, 50, tell, &late));
  sl_waiter_cancel(sl_wait_start(t, 3, SL_ALL_COMPLETED, 0, never, NULL));
  assert_null(sl_gather_start(t, 0, 0, tell, &g));
  assert_null(sl_wait_start(t, 3, SL_ALL_COMPLETED, 0, NULL, NULL));
  free_all(t, 3); /* the waiters hold them */
  ev_run(loop, 0);
  assert_int_equal(g.calls, 1);
  assert_int_equal(g.rc, SL_EFAILED);
  assert_ptr_equal(g.first, t[1]);
  assert_int_equal(all.calls, 1);
  assert_int_equal(all.rc, SL_OK);
  assert_int_equal(first.calls, 1);
  assert_int_equal(first.rc, SL_OK);
  assert_true(first.first == t[1] || first.first == t[2]);
  assert_int_equal(late.calls, 1);
  assert_int_equal(late.rc, SL_ETIMEOUT);
  assert_null(late.first);
  /* already final: called on the loop, not from inside the start */
  assert_non_null(sl_wait_start(slow, 1, SL_ALL_COMPLETED, 0, tell, &again));
  assert_int_equal(again.calls, 0);
  ev_run(loop, 0);
  assert_int_equal(again.calls, 1);
  sl_task_free(slow[0]);
  sl_ctx_free(ctx);
  ev_loop_destroy(loop);
}

static void test_as_completed_order_and_timeout(void **state)
{
  sl_ctx *ctx = harness_ctx(8);
  sl_as_completed *ac = sl_as_completed_new(ctx, 0, NULL, NULL);
  sl_task *slow = harness_get(ctx, "/delay/300", 0);
  sl_task *fast = harness_get(ctx, "/delay/10", 0);
  sl_task *got;
  (void)state;
  assert_int_equal(sl_as_completed_add(ac, slow), SL_OK);
  assert_int_equal(sl_as_completed_add(ac, fast), SL_OK);
  assert_int_equal(sl_as_completed_left(ac), 2);
  assert_int_equal(sl_as_completed_next(ac, &got), SL_OK);
  assert_ptr_equal(got, fast);
  assert_int_equal(sl_as_completed_next(ac, &got), SL_OK);
  assert_ptr_equal(got, slow);
  assert_int_equal(sl_as_completed_next(ac, &got), SL_ENOENT);
  sl_as_completed_free(ac);
  sl_task_free(slow);
  sl_task_free(fast);

  ac = sl_as_completed_new(ctx, 200, NULL, NULL);
  slow = harness_get(ctx, "/delay/1000", 0);
  sl_as_completed_add(ac, slow);
  assert_int_equal(sl_as_completed_next(ac, &got), SL_ETIMEOUT);
  assert_int_equal(sl_task_state(slow), SL_RUNNING); /* left running */
  sl_as_completed_free(ac); /* freed while its task still runs */
  sl_run(ctx);
  assert_int_equal(sl_task_state(slow), SL_DONE);
  sl_task_free(slow);
  sl_ctx_free(ctx);
}

struct order {
  sl_task *seen[8];
  int n, timeouts;
};

static void push_cb(sl_as_completed *ac, sl_task *t, void *ud)
{
  struct order *o = ud;
  (void)ac;
  if(!t)
    o->timeouts++;
  else
    o->seen[o->n++] = t;
}

static void test_as_completed_callback_form(void **state)
{
  sl_ctx *ctx = harness_ctx(8);
  struct order o = {0};
  sl_as_completed *ac = sl_as_completed_new(ctx, 500, push_cb, &o);
  sl_task *t[3];
  int i;
  (void)state;
  t[0] = harness_get(ctx, "/delay/200", 0);
  t[1] = harness_get(ctx, "/delay/20", 0);
  t[2] = harness_get(ctx, "/delay/2000", 0);
  for(i = 0; i < 3; i++)
    sl_as_completed_add(ac, t[i]);
  sl_task_wait(t[0]);
  {
    sl_task *x;
    assert_int_equal(sl_as_completed_next(ac, &x), SL_EINVAL);
  }
  sl_run(ctx);
  assert_int_equal(o.n, 2); /* the third finished after the timeout */
  assert_ptr_equal(o.seen[0], t[1]);
  assert_ptr_equal(o.seen[1], t[0]);
  assert_int_equal(o.timeouts, 1);
  sl_as_completed_free(ac);
  free_all(t, 3);
  sl_ctx_free(ctx);
}

/* ---- deadlines while queued; cancelling many -------------------------- */

static void test_deadline_while_queued(void **state)
{
  sl_ctx *ctx = harness_ctx(1);
  sl_task *busy = harness_get(ctx, "/delay/1000", 0);
  struct sl_request r = harness_req("/bytes/10?queued", 0);
  const struct sl_error *e;
  struct fixture_counters c;
  double t0 = ev_time(), took;
  sl_task *t;
  (void)state;
  assert_int_equal(fixture_reset(&fx), 0);
  r.timeout_ms = 200;
  t = sl_fetch(ctx, &r);
  sl_task_wait(t);
  took = ev_time() - t0;
  assert_int_equal(sl_task_state(t), SL_FAILED);
  sl_task_error(t, &e);
  assert_int_equal(e->kind, SL_ERR_TIMEOUT);
  print_message("queued deadline: %s (%s)\n", e->message,
                sl_state_name(sl_task_state(busy)));
  assert_non_null(strstr(e->message, "waiting"));
  assert_true(took >= 0.19 && took < 0.8);
  assert_int_equal(sl_task_state(busy), SL_RUNNING);
  assert_int_equal(fixture_stats(&fx, fx.host, &c), 0);
  assert_int_equal(c.requests, 1); /* the queued one never went out */
  sl_task_cancel(busy, NULL);
  sl_task_free(busy);
  sl_task_free(t);
  sl_ctx_free(ctx);
}

static void test_cancel_1000_in_flight(void **state)
{
  enum { N = 1000 };
  sl_ctx *ctx = harness_ctx(N);
  sl_task **t = calloc(N, sizeof(*t));
  struct sl_stats st;
  double t0;
  int i;
  (void)state;
  assert_int_equal(fixture_reset(&fx), 0);
  harness_hang(ctx, t, N);
  t0 = ev_time();
  for(i = 0; i < N; i++)
    sl_task_cancel(t[i], "enough");
  print_message("cancelled %d in-flight transfers in %.2f ms\n", N,
                (ev_time() - t0) * 1000);
  sl_ctx_stats(ctx, &st);
  assert_int_equal(st.running, 0);
  harness_assert_none_in_flight(); /* no socket left open */
  free_all(t, N);
  free(t);
  sl_ctx_free(ctx);
}

/* What a callback that cancels saw. */
struct canceller {
  sl_task **t;
  int n, left_running;
  bool ran;
  sl_ctx *ctx;
};

static void cancel_them(void *ud)
{
  struct canceller *c = ud;
  struct sl_stats st;
  for(int i = 0; i < c->n; i++)
    assert_true(sl_task_cancel(c->t[i], "from a callback"));
  sl_ctx_stats(c->ctx, &st);
  c->left_running = (int)st.running; /* final at once */
  c->ran = true;
}

/* Cancelled from inside a loop callback, the transfers end at once and
   their connections close after the callback: by the time the loop
   iteration that ran it returns, the server holds none of them. */
static void test_cancel_from_callback_closes_in_same_pass(void **state)
{
  enum { N = 200 };
  sl_ctx *ctx = harness_ctx(N);
  sl_task *t[N];
  struct canceller k = {t, N, -1, false, ctx};
  int i, tries;
  (void)state;
  assert_int_equal(fixture_reset(&fx), 0);
  harness_hang(ctx, t, N);
  assert_non_null(sl_call_later(ctx, 0, cancel_them, &k));
  for(tries = 0; tries < 1000 && !k.ran; tries++)
    ev_run(sl_ctx_loop(ctx), EVRUN_ONCE);
  assert_true(k.ran);
  assert_int_equal(k.left_running, 0);
  /* no further iteration: the closes were in the one that cancelled */
  harness_assert_none_in_flight();
  for(i = 0; i < N; i++)
    assert_int_equal(sl_task_state(t[i]), SL_CANCELLED);
  free_all(t, N);
  sl_ctx_free(ctx);
}

/* A slot freed by a cancel inside a callback goes to the next task of the
   host, but its connection opens only after the cancelled one closed:
   the server never holds two requests of a one-at-a-time host. */
static void test_cancel_from_callback_keeps_per_host(void **state)
{
  struct sl_options o = {0};
  struct fixture_counters c = {0};
  sl_task *hang[1], *next;
  struct canceller k = {hang, 1, -1, false, NULL};
  sl_ctx *ctx;
  int tries;
  (void)state;
  o.per_host = 1;
  o.quiet = true;
  assert_non_null(ctx = sl_ctx_new(&o));
  k.ctx = ctx;
  assert_int_equal(fixture_reset(&fx), 0);
  hang[0] = harness_get(ctx, "/hang", 0);
  next = harness_get(ctx, "/delay/100", 0);
  for(tries = 0; tries < 500 && c.in_flight < 1; tries++) {
    ev_run(sl_ctx_loop(ctx), EVRUN_NOWAIT);
    if(tries % 10 == 9)
      assert_int_equal(fixture_stats(&fx, fx.host, &c), 0);
  }
  assert_int_equal(c.in_flight, 1);
  assert_non_null(sl_call_later(ctx, 10, cancel_them, &k));
  assert_int_equal(sl_task_wait(next), SL_OK);
  assert_int_equal(sl_task_state(next), SL_DONE);
  assert_int_equal(sl_task_state(hang[0]), SL_CANCELLED);
  assert_int_equal(fixture_stats(&fx, fx.host, &c), 0);
  assert_int_equal(c.requests, 2);
  assert_int_equal(c.max_in_flight, 1);
  sl_task_free(hang[0]);
  sl_task_free(next);
  sl_ctx_free(ctx);
}

/* ---- introspection, warnings, loop services ---------------------------- */

struct probe {
  sl_ctx *ctx;
  sl_task *current;
  size_t live;
};

static bool count_live(sl_task *t, void *ud)
{
  (void)t;
  (*(size_t *)ud)++;
  return true;
}

static void probe_cb(sl_task *t, void *ud)
{
  struct probe *p = ud;
  size_t n = 0;
  p->current = sl_current_task(p->ctx);
  p->live = sl_ctx_foreach_task(p->ctx, count_live, &n);
  assert_int_equal(n, p->live);
  (void)t;
}

static void test_current_task_and_foreach(void **state)
{
  sl_ctx *ctx = harness_ctx(4);
  struct probe p = {0};
  sl_task *a = harness_get(ctx, "/delay/10", 0),
          *b = harness_get(ctx, "/delay/1000", 0);
  size_t n = 0;
  (void)state;
  p.ctx = ctx;
  assert_int_equal(sl_ctx_foreach_task(ctx, count_live, &n), 2);
  sl_task_on_done(a, probe_cb, &p);
  sl_task_wait(a);
  sl_run(ctx); /* b too */
  assert_ptr_equal(p.current, a);
  assert_int_equal(p.live, 1); /* b, still running then */
  assert_null(sl_current_task(ctx));
  sl_task_free(a);
  sl_task_free(b);
  sl_ctx_free(ctx);
}

static void collect_warning(const char *msg, void *ud)
{
  int *n = ud;
  (*n)++;
  assert_non_null(strstr(msg, "never retrieved"));
}

static void test_never_retrieved_warning(void **state)
{
  struct sl_options o = {0};
  int warnings = 0;
  sl_ctx *ctx;
  sl_task *seen, *unseen, *cancelled;
  const struct sl_error *e;
  (void)state;
  o.warn = collect_warning;
  o.warn_ud = &warnings;
  ctx = sl_ctx_new(&o);
  seen = harness_get(ctx, "/status/500", FAIL500);
  unseen = harness_get(ctx, "/status/500", FAIL500);
  cancelled = harness_get(ctx, "/delay/1000", 0);
  sl_task_cancel(cancelled, NULL);
  sl_run(ctx);
  sl_task_error(seen, &e);
  sl_task_free(seen);
  sl_task_free(cancelled);
  assert_int_equal(warnings, 0);
  sl_task_free(unseen); /* reclaimed now, its error unread */
  assert_int_equal(warnings, 1);
  sl_ctx_free(ctx);
  assert_int_equal(warnings, 1);
}

static void later_cb(void *ud)
{
  int *order = ud;
  order[order[0]++ + 1] = 1;
}

static void later_cb2(void *ud)
{
  int *order = ud;
  order[order[0]++ + 1] = 2;
}

static void on_usr1(int sig, void *ud)
{
  (void)sig;
  (*(int *)ud)++;
}

static void test_call_later_and_signals(void **state)
{
  sl_ctx *ctx = harness_ctx(4);
  int order[4] = {0}, sigs = 0;
  sl_timer *never;
  sl_task *t;
  (void)state;
  sl_call_later(ctx, 60, later_cb2, order);
  sl_call_later(ctx, 20, later_cb, order);
  never = sl_call_later(ctx, 30, later_cb, order);
  sl_timer_cancel(never);
  assert_int_equal(sl_on_signal(ctx, SIGUSR1, on_usr1, &sigs), SL_OK);
  t = harness_get(ctx, "/delay/150", 0);
  raise(SIGUSR1);
  sl_task_wait(t);
  assert_int_equal(order[0], 2);
  assert_int_equal(order[1], 1); /* 20 ms before 60 ms */
  assert_int_equal(order[2], 2);
  assert_int_equal(sigs, 1);
  sl_off_signal(ctx, SIGUSR1);
  sl_call_later(ctx, 10000, later_cb, order); /* freed with the ctx */
  sl_task_free(t);
  sl_ctx_free(ctx);
}

/* ---- add_reader ------------------------------------------------------- */

struct piped {
  sl_ctx *ctx;
  int fds[2];
  int reads, eof;
  sl_task *task; /* fetched from the line read */
  char line[256];
  size_t len;
};

static void on_pipe(int fd, void *ud)
{
  struct piped *p = ud;
  ssize_t n = read(fd, p->line + p->len, sizeof(p->line) - 1 - p->len);
  p->reads++;
  if(n > 0) {
    p->len += (size_t)n;
    p->line[p->len] = '\0';
    if(strchr(p->line, '\n') && !p->task) {
      *strchr(p->line, '\n') = '\0';
      p->task = harness_fetch(p->ctx, p->line, 5000);
    }
    return;
  }
  p->eof++;
  assert_true(sl_remove_reader(p->ctx, fd)); /* its own, from inside */
}

static void write_url(void *ud)
{
  struct piped *p = ud;
  const char *u = fixture_url(&fx, "/bytes/3");
  char buf[256];
  int n = snprintf(buf, sizeof(buf), "%s\n", u);
  assert_int_equal(write(p->fds[1], buf, (size_t)n), n);
}

static void close_pipe(void *ud)
{
  struct piped *p = ud;
  close(p->fds[1]);
  p->fds[1] = -1;
}

static void not_called(int fd, void *ud)
{
  (void)fd;
  (void)ud;
  fail();
}

/* A reader that is not kept lets sl_run() and ev_run() end at once; one
   that is kept holds sl_run() until the line came, was fetched, and the
   pipe closed. */
static void test_reader_keeps_run_when_asked(void **state)
{
  struct piped p = {0};
  const struct sl_response *r;
  (void)state;
  p.ctx = harness_ctx(4);
  assert_int_equal(pipe(p.fds), 0);
  assert_int_equal(sl_add_reader(p.ctx, -1, on_pipe, &p), SL_EINVAL);
  assert_int_equal(sl_reader_keep_alive(p.ctx, p.fds[0], true), SL_ENOENT);
  assert_false(sl_remove_reader(p.ctx, p.fds[0]));
  assert_int_equal(sl_add_reader(p.ctx, p.fds[0], not_called, NULL), SL_OK);
  assert_int_equal(sl_run(p.ctx), SL_OK); /* not kept: nothing to wait for */
  ev_run(sl_ctx_loop(p.ctx), 0);          /* nor for the caller's ev_run */
  /* the same fd again: the callback is replaced */
  assert_int_equal(sl_add_reader(p.ctx, p.fds[0], on_pipe, &p), SL_OK);
  assert_int_equal(sl_reader_keep_alive(p.ctx, p.fds[0], true), SL_OK);
  sl_call_later(p.ctx, 50, write_url, &p);
  sl_call_later(p.ctx, 150, close_pipe, &p);
  assert_int_equal(sl_run(p.ctx), SL_OK);
  assert_int_equal(p.eof, 1);
  assert_int_equal(p.reads, 2);
  assert_non_null(p.task);
  assert_int_equal(sl_task_state(p.task), SL_DONE);
  assert_int_equal(sl_task_response(p.task, &r), SL_OK);
  assert_int_equal(r->bytes, 3);
  sl_task_free(p.task);
  close(p.fds[0]);
  sl_ctx_free(p.ctx);
}

/* A reader left in place goes with its context (ASan would see a leak);
   letting go of the keep-alive lets sl_run() end. */
static void test_reader_let_go_and_freed_with_ctx(void **state)
{
  int fds[2];
  sl_ctx *ctx = harness_ctx(4);
  (void)state;
  assert_int_equal(pipe(fds), 0);
  assert_int_equal(sl_add_reader(ctx, fds[0], not_called, NULL), SL_OK);
  assert_int_equal(sl_reader_keep_alive(ctx, fds[0], true), SL_OK);
  assert_int_equal(sl_reader_keep_alive(ctx, fds[0], false), SL_OK);
  assert_int_equal(sl_run(ctx), SL_OK);
  assert_int_equal(sl_reader_keep_alive(ctx, fds[0], true), SL_OK);
  sl_ctx_free(ctx); /* kept and never readable: freed all the same */
  close(fds[0]);
  close(fds[1]);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_gather_input_order),
      cmocka_unit_test(test_gather_first_failure),
      cmocka_unit_test(test_group_failure_cancels_siblings),
      cmocka_unit_test(test_group_siblings_failing_together),
      cmocka_unit_test(test_nested_groups),
      cmocka_unit_test(test_group_tolerates_failures),
      cmocka_unit_test(test_sites_in_a_crawl),
      cmocka_unit_test(test_group_report_is_bounded),
      cmocka_unit_test(test_group_deadline),
      cmocka_unit_test(test_group_freed_in_own_callback),
      cmocka_unit_test(test_wait_conditions),
      cmocka_unit_test(test_gather_and_wait_callbacks),
      cmocka_unit_test(test_as_completed_order_and_timeout),
      cmocka_unit_test(test_as_completed_callback_form),
      cmocka_unit_test(test_deadline_while_queued),
      cmocka_unit_test(test_cancel_1000_in_flight),
      cmocka_unit_test(test_cancel_from_callback_closes_in_same_pass),
      cmocka_unit_test(test_cancel_from_callback_keeps_per_host),
      cmocka_unit_test(test_current_task_and_foreach),
      cmocka_unit_test(test_never_retrieved_warning),
      cmocka_unit_test(test_call_later_and_signals),
      cmocka_unit_test(test_reader_keeps_run_when_asked),
      cmocka_unit_test(test_reader_let_go_and_freed_with_ctx),
  };
  /* 1000 transfers at once need 1000 sockets on each side */
  static const struct harness h = {
      .fx = &fx, .raise_nofile = true, .quiet = true};
  return harness_main(argc, argv, tests, &h);
}
