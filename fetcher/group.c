/*
 * group.c - sl_group, asyncio's TaskGroup (and libdill's bundle): tasks
 * created in a group are cancelled together when one of them fails, when
 * the group is cancelled, or when it is freed.  Groups nest: a child's
 * failure is its parent's, and cancelling a parent cancels its children.
 *
 * A group learns of its tasks' ends from sl__task_finish() directly, not
 * through done callbacks, so siblings are cancelled in the same loop
 * iteration as the failure, before any callback of that iteration runs.
 *
 * Each group has a failure policy: what counts (FAILED tasks; with
 * http_errors, DONE ones with a status >= 400 too) and how many it
 * tolerates before it fails (0: the first, asyncio's way).  A group that
 * fails cancels its tree and is one failure of its parent, whose own
 * policy decides.  Memory follows the live tasks: a final task leaves its
 * group at once, and only the first max_errors failures stay referenced
 * for the report.
 */
#include "fetcher/group.h"

#include "base/array.h"
#include "base/container_of.h"
#include "base/list.h"
#include "fetcher/ctx.h"
#include "fetcher/task.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_ERRORS 64 /* failures kept for the report by default */

static bool live(const struct sl_group *g)
{
  return g->live || g->live_children;
}

static void queue_done(struct sl_group *g)
{
  if(g->notified || !g->done_cb)
    return;
  sl__call_soon(&g->ctx->sched, &g->soon);
}

/* The scheduler runs a group's node: its done callback, unless new tasks
   came since it was queued. */
static void run_done(struct sl_soon *s)
{
  struct sl_group *g = sl_container_of(s, struct sl_group, soon);
  if(live(g))
    return; /* not done after all */
  g->notified = true;
  g->done_cb(g, g->done_ud); /* may free g */
}

/* g's live count changed by delta (+1 or -1): carry the change of its
   liveness up the tree. */
static void adjust(struct sl_group *g, int delta, bool child)
{
  bool was = live(g);
  if(child)
    g->live_children += (size_t)(long)delta;
  else
    g->live += (size_t)(long)delta;
  if(was == live(g))
    return;
  if(!live(g))
    queue_done(g);
  if(g->parent)
    adjust(g->parent, was ? -1 : 1, true);
}

sl_group *sl_group_new(sl_ctx *ctx, sl_group *parent, long timeout_ms)
{
  struct sl_group *g;
  if(!ctx || (parent && parent->ctx != ctx)) {
    errno = EINVAL;
    return NULL;
  }
  g = calloc(1, sizeof(*g));
  if(!g)
    return NULL;
  g->ctx = ctx;
  g->parent = parent;
  g->policy.max_errors = MAX_ERRORS;
  sl_soon_init(&g->soon, run_done);
  if(timeout_ms > 0)
    g->deadline = sl_loop_now(ctx->loop) + sl_ns_from_ms(timeout_ms);
  if(parent && parent->deadline > 0 &&
     (!g->deadline || parent->deadline < g->deadline))
    g->deadline = parent->deadline;
  if(parent) {
    SL_LIST_PREPEND(parent->children, parent->children_tail, g, sib_prev,
                    sib_next);
    g->closed = parent->closed;
  } else
    SL_LIST_PREPEND(ctx->groups, ctx->groups_tail, g, sib_prev, sib_next);
  return g;
}

sl_task *sl_group_fetch(sl_group *g, const struct sl_request *req)
{
  if(!g) {
    errno = EINVAL;
    return NULL;
  }
  if(g->closed) {
    errno = ECANCELED;
    return NULL;
  }
  return sl__fetch(g->ctx, req, g);
}

void sl__group_task_added(struct sl_group *g, struct sl_task *t)
{
  t->group = g;
  SL_LIST_APPEND(g->tasks, g->tasks_tail, t, g_prev, g_next);
  sl__task_ref(t);
  g->notified = false;
  adjust(g, 1, false);
}

/* Cancels the live tasks of g and of its descendants, pending ones first
   so no freed slot starts a task about to be cancelled. */
static bool cancel_tree(struct sl_group *g, const char *msg)
{
  struct sl_group *c;
  struct sl_task *t;
  bool any = false;
  int pass;
  g->closed = true;
  for(pass = 0; pass < 2; pass++) {
    enum sl_state want = pass == 0 ? SL_PENDING : SL_RUNNING;
    /* the list holds live tasks only, and a cancel may change it (a
       freed slot can fail another task): start over after each one */
    for(t = g->tasks; t;) {
      if(t->state == want) {
        any |= sl_task_cancel(t, msg);
        t = g->tasks;
      } else
        t = t->g_next;
    }
  }
  for(c = g->children; c; c = c->sib_next)
    any |= cancel_tree(c, msg);
  return any;
}

static void add_error(struct sl_group *g, struct sl_task *t)
{
  /* out of memory: the failure still counts; only the report loses it */
  if(g->nerrors >= g->policy.max_errors ||
     sl_array_reserve(g->errors, g->errors_cap, g->nerrors + 1, 4))
    return;
  sl__task_ref(t);
  g->errors[g->nerrors++] = t;
}

/* Why g's tasks are cancelled: t's failure tripped it. */
static void trip_message(const struct sl_group *g, const struct sl_task *t,
                         char *msg, size_t size)
{
  char what[400];
  if(t->state == SL_FAILED)
    snprintf(what, sizeof(what), "%s: %s", sl_error_kind_name(t->err.e.kind),
             t->err.e.message);
  else
    snprintf(what, sizeof(what), "HTTP status %ld", t->resp.status);
  if(!g->policy.tolerate)
    snprintf(msg, size, "cancelled: %s (%s) failed: %s", sl_task_name(t),
             t->url.p, what);
  else
    snprintf(msg, size,
             "cancelled: %zu failures, more than the %zu tolerated; the "
             "last: %s (%s) failed: %s",
             g->failures, g->policy.tolerate, sl_task_name(t), t->url.p, what);
}

/* One failure of g, t's (or that of a child group t tripped): counted,
   reported, and past what g tolerates g fails, cancelling its tree, and
   is one failure of its parent. */
static void failure(struct sl_group *g, struct sl_task *t)
{
  char msg[700];
  g->failures++;
  add_error(g, t);
  if(g->failed || g->failures <= g->policy.tolerate)
    return;
  g->failed = true;
  trip_message(g, t, msg, sizeof(msg));
  cancel_tree(g, msg);
  if(g->parent)
    failure(g->parent, t);
}

void sl__group_task_final(struct sl_group *g, struct sl_task *t)
{
  /* a refusal by robots.txt is the crawler's manners, not the site's
     failure */
  if((t->state == SL_FAILED && t->err.e.kind != SL_ERR_ROBOTS) ||
     (g->policy.http_errors && t->state == SL_DONE && t->resp.status >= 400))
    failure(g, t);
  /* final: out of the group, so a group's memory follows its live tasks
     (the first failures stay referenced by the report) */
  SL_LIST_REMOVE(g->tasks, g->tasks_tail, t, g_prev, g_next);
  t->group = NULL;
  adjust(g, -1, false);
  sl__task_unref(t);
}

int sl_group_set_policy(sl_group *g, const struct sl_group_policy *p)
{
  if(!g || !p)
    return SL_EINVAL;
  g->policy = *p;
  if(!g->policy.max_errors)
    g->policy.max_errors = MAX_ERRORS;
  return SL_OK;
}

size_t sl_group_failures(const sl_group *g)
{
  return g ? g->failures : 0;
}

bool sl_group_cancel(sl_group *g, const char *msg)
{
  if(!g)
    return false;
  return cancel_tree(g, msg ? msg : "group cancelled");
}

int sl_group_wait(sl_group *g)
{
  int rc = g ? sl__sched_can_block(&g->ctx->sched) : SL_EINVAL;
  if(rc)
    return rc;
  while(live(g))
    sl__sched_run_once(&g->ctx->sched);
  return g->failed ? SL_EFAILED : SL_OK;
}

size_t sl_group_errors(sl_group *g, sl_task *const **out)
{
  size_t i;
  if(out)
    *out = NULL;
  if(!g)
    return 0;
  for(i = 0; i < g->nerrors; i++)
    g->errors[i]->retrieved = true;
  if(out)
    *out = g->errors;
  return g->nerrors;
}

bool sl_group_done(const sl_group *g)
{
  return g && !live(g);
}

int sl_group_on_done(sl_group *g, void (*cb)(sl_group *g, void *ud), void *ud)
{
  if(!g || !cb || g->done_cb)
    return SL_EINVAL;
  g->done_cb = cb;
  g->done_ud = ud;
  g->notified = false;
  if(!live(g))
    queue_done(g);
  return SL_OK;
}

static void group_destroy(struct sl_group *g)
{
  struct sl_task *t, *next;
  size_t i;
  while(g->children)
    group_destroy(g->children);
  sl__soon_cancel(&g->ctx->sched, &g->soon);
  for(t = g->tasks; t; t = next) {
    next = t->g_next;
    t->group = NULL;
    t->g_prev = t->g_next = NULL;
    sl__task_unref(t);
  }
  for(i = 0; i < g->nerrors; i++)
    sl__task_unref(g->errors[i]);
  if(g->parent)
    SL_LIST_REMOVE(g->parent->children, g->parent->children_tail, g, sib_prev,
                   sib_next);
  else
    SL_LIST_REMOVE(g->ctx->groups, g->ctx->groups_tail, g, sib_prev, sib_next);
  free(g->errors);
  free(g);
}

void sl_group_free(sl_group *g)
{
  if(!g)
    return;
  cancel_tree(g, "group freed");
  /* every task is final now: the tree is no longer live */
  group_destroy(g);
}

void sl__group_free_all(struct sl_ctx *ctx)
{
  while(ctx->groups)
    group_destroy(ctx->groups);
}
