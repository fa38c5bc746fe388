/*
 * group.c - sl_group, asyncio's TaskGroup (and libdill's bundle): tasks
 * created in a group are cancelled together when one of them fails, when
 * the group is cancelled, or when it is freed.  Groups nest: a child's
 * failure is its parent's, and cancelling a parent cancels its children.
 *
 * A group learns of its tasks' ends from sl__task_finish() directly, not
 * through done callbacks, so siblings are cancelled in the same loop
 * iteration as the failure, before any callback of that iteration runs.
 */
#include "fetcher/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static bool live(const struct sl_group *g)
{
  return g->live || g->live_children;
}

static void queue_done(struct sl_group *g)
{
  struct sl_ctx *ctx = g->ctx;
  if(g->queued || g->notified || !g->done_cb)
    return;
  g->queued = true;
  g->done_next = NULL;
  if(ctx->gdone_tail)
    ctx->gdone_tail->done_next = g;
  else
    ctx->gdone_head = g;
  ctx->gdone_tail = g;
  sl_loop_wake(ctx->loop);
}

static void unqueue_done(struct sl_group *g)
{
  struct sl_ctx *ctx = g->ctx;
  struct sl_group **pp, *prev = NULL;
  if(!g->queued)
    return;
  for(pp = &ctx->gdone_head; *pp; prev = *pp, pp = &(*pp)->done_next) {
    if(*pp == g) {
      *pp = g->done_next;
      if(ctx->gdone_tail == g)
        ctx->gdone_tail = prev;
      break;
    }
  }
  g->queued = false;
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

static void link_child(struct sl_group **head, struct sl_group *g)
{
  g->sib_prev = NULL;
  g->sib_next = *head;
  if(*head)
    (*head)->sib_prev = g;
  *head = g;
}

static void unlink_child(struct sl_group **head, struct sl_group *g)
{
  if(g->sib_prev)
    g->sib_prev->sib_next = g->sib_next;
  else
    *head = g->sib_next;
  if(g->sib_next)
    g->sib_next->sib_prev = g->sib_prev;
  g->sib_prev = g->sib_next = NULL;
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
  if(timeout_ms > 0)
    g->deadline = sl_loop_now(ctx->loop) + (double)timeout_ms / 1000.0;
  if(parent && parent->deadline > 0 &&
     (!g->deadline || parent->deadline < g->deadline))
    g->deadline = parent->deadline;
  if(parent) {
    link_child(&parent->children, g);
    g->closed = parent->closed;
  } else
    link_child(&ctx->groups, g);
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
  if(g->nerrors == g->errors_cap) {
    size_t cap = g->errors_cap ? g->errors_cap * 2 : 4;
    struct sl_task **v = realloc(g->errors, cap * sizeof(*v));
    if(!v)
      return; /* the failure still cancels; only the report loses it */
    g->errors = v;
    g->errors_cap = cap;
  }
  sl__task_ref(t);
  g->errors[g->nerrors++] = t;
}

void sl__group_task_final(struct sl_group *g, struct sl_task *t)
{
  if(t->state == SL_FAILED) {
    struct sl_group *a, *root = g;
    bool fresh;
    char msg[600];
    /* as in asyncio, a failure in a child group fails its parent too */
    for(a = g; a; a = a->parent) {
      add_error(a, t);
      root = a;
    }
    fresh = !root->failed;
    for(a = g; a; a = a->parent)
      a->failed = true;
    if(fresh) {
      snprintf(msg, sizeof(msg), "cancelled: %s (%s) failed: %s: %s",
               sl_task_name(t), t->url.p, sl_error_kind_name(t->err.kind),
               t->err.message);
      cancel_tree(root, msg);
    }
  }
  /* final: out of the group, so a group's memory follows its live tasks
     (failed ones stay referenced by the error lists) */
  SL_LIST_REMOVE(g->tasks, g->tasks_tail, t, g_prev, g_next);
  t->group = NULL;
  adjust(g, -1, false);
  sl__task_unref(t);
}

bool sl_group_cancel(sl_group *g, const char *msg)
{
  if(!g)
    return false;
  return cancel_tree(g, msg ? msg : "group cancelled");
}

int sl_group_wait(sl_group *g)
{
  int rc = g ? sl__ctx_can_block(g->ctx) : SL_EINVAL;
  if(rc)
    return rc;
  while(live(g))
    sl__ctx_run_once(g->ctx);
  return g->failed ? SL_EFAILED : SL_OK;
}

size_t sl_group_errors(sl_group *g, sl_task *const **out)
{
  size_t i;
  for(i = 0; i < g->nerrors; i++)
    g->errors[i]->retrieved = true;
  if(out)
    *out = g->errors;
  return g->nerrors;
}

bool sl_group_done(const sl_group *g)
{
  return !live(g);
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

void sl__group_dispatch(struct sl_ctx *ctx)
{
  struct sl_group *g;
  while((g = ctx->gdone_head)) {
    ctx->gdone_head = g->done_next;
    if(!ctx->gdone_head)
      ctx->gdone_tail = NULL;
    g->queued = false;
    if(live(g))
      continue; /* new tasks came since: not done after all */
    g->notified = true;
    g->done_cb(g, g->done_ud); /* may free g */
  }
}

static void group_destroy(struct sl_group *g)
{
  struct sl_task *t, *next;
  size_t i;
  while(g->children)
    group_destroy(g->children);
  unqueue_done(g);
  for(t = g->tasks; t; t = next) {
    next = t->g_next;
    t->group = NULL;
    t->g_prev = t->g_next = NULL;
    sl__task_unref(t);
  }
  for(i = 0; i < g->nerrors; i++)
    sl__task_unref(g->errors[i]);
  if(g->parent)
    unlink_child(&g->parent->children, g);
  else
    unlink_child(&g->ctx->groups, g);
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
