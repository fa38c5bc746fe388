/*
 * task.c - the task: its one stage machine, creation and the pool of
 * recycled tasks, done callbacks, cancellation and the public getters.
 * See task.h.
 *
 * A task reaches a final stage in sl__task_finish() only; that queues
 * its done callbacks on the scheduler (never run from inside curl, never
 * from inside the call that made the task final).  The same scheduler
 * node first carries the task's admission (while NEW), then its
 * callbacks.
 */
#include "fetcher/task.h"

#include "base/container_of.h"
#include "base/list.h"
#include "base/term.h"
#include "fetcher/admit.h"
#include "fetcher/ctx.h"
#include "fetcher/group.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const enum sl_state stage_state[] = {
#define XX(name, state, what) SL_##state,
    SL_STAGE_MAP(XX)
#undef XX
};

const char *sl__stage_name(enum sl_stage st)
{
  static const char *const names[] = {
#define XX(name, state, what) #name,
      SL_STAGE_MAP(XX)
#undef XX
  };
  return (size_t)st < SL_COUNTOF(names) ? names[st] : "?";
}

static uint64_t *state_counter(struct sl_stats *s, enum sl_state st)
{
  switch(st) {
    case SL_PENDING:
      return &s->pending;
    case SL_RUNNING:
      return &s->running;
    case SL_DONE:
      return &s->done;
    case SL_FAILED:
      return &s->failed;
    case SL_CANCELLED:
      break;
  }
  return &s->cancelled;
}

static void trace(const struct sl_task *t, enum sl_stage to)
{
  sl_term_printf(stderr, "sluice: %s %s -> %s (%s)\n", sl_task_name(t),
                 sl__stage_name(t->stage), sl__stage_name(to), t->url.p);
}

void sl__task_stage(struct sl_task *t, enum sl_stage st)
{
  struct sl_tasks *ts = &t->ctx->tasks;
  enum sl_state to = stage_state[st];
  if(ts->trace)
    trace(t, st);
  t->stage = st;
  if(to == t->state)
    return;
  (*state_counter(&ts->stats, t->state))--;
  (*state_counter(&ts->stats, to))++;
  t->state = to;
  if(!ts->stats.pending && !ts->stats.running)
    sl__ctx_hold(t->ctx); /* the last live task: the loop may end */
}

bool sl_task_is_final(const sl_task *t)
{
  return t && t->state >= SL_DONE;
}

void sl__task_set_error(struct sl_task *t, enum sl_error_kind kind, int code,
                        const char *msg)
{
  sl__err_set(&t->err, kind, code, msg);
}

void sl__task_finish(struct sl_task *t, enum sl_stage st)
{
  struct sl_ctx *ctx = t->ctx;
  sl__task_stage(t, st);
  sl__timers_disarm(&ctx->timers, &t->tmr);
  if(st == SL_ST_DONE)
    sl__err_clear(&t->err);
  /* callbacks first in the queue, so a failing task's run before those of
     the siblings its group cancels below */
  sl__call_soon(&ctx->sched, &t->soon);
  if(t->group)
    sl__group_task_final(t->group, t);
  sl__admit_release(t); /* slots and host given back, maybe to a waiter */
}

void sl__task_ref(struct sl_task *t)
{
  t->refs++;
}

static bool reclaimable(const struct sl_task *t)
{
  return !t->refs && sl_task_is_final(t) && !t->soon.queued && !t->dispatching;
}

static void recycle(struct sl_task *t);

void sl__task_unref(struct sl_task *t)
{
  t->refs--;
  if(reclaimable(t))
    recycle(t);
}

/* Runs the done callbacks of a final task. */
static void dispatch(struct sl_task *t)
{
  struct sl_tasks *ts = &t->ctx->tasks;
  struct sl_task *outer = ts->current;
  t->dispatching = true;
  ts->current = t;
  for(size_t i = 0; i < t->ncbs; i++) {
    struct sl_cb c = t->cbs[i]; /* copy: a callback may grow t->cbs */
    if(!c.cb)
      continue;
    t->cbs[i].cb = NULL;
    c.cb(t, c.ud);
  }
  t->ncbs = 0;
  t->dispatching = false;
  ts->current = outer;
  if(reclaimable(t))
    recycle(t);
}

/* The scheduler runs a task's node: admission while it is NEW, its done
   callbacks once it is final. */
static void run_soon(struct sl_soon *s)
{
  struct sl_task *t = sl_container_of(s, struct sl_task, soon);
  if(t->stage == SL_ST_NEW)
    sl__admit(t);
  else if(sl_task_is_final(t))
    dispatch(t);
}

int sl_task_on_done(sl_task *t, sl_done_cb cb, void *ud)
{
  if(!t || !cb)
    return SL_EINVAL;
  if(t->ncbs == t->cbs_cap) {
    size_t cap = t->cbs_cap * 2;
    struct sl_cb *p;
    if(t->cbs == t->cbs_inline) {
      p = malloc(cap * sizeof(*p));
      if(p)
        memcpy(p, t->cbs_inline, sizeof(t->cbs_inline));
    } else
      p = realloc(t->cbs, cap * sizeof(*p));
    if(!p)
      return SL_ENOMEM;
    t->cbs = p;
    t->cbs_cap = cap;
  }
  t->cbs[t->ncbs].cb = cb;
  t->cbs[t->ncbs].ud = ud;
  t->ncbs++;
  if(sl_task_is_final(t) && !t->dispatching)
    sl__call_soon(&t->ctx->sched, &t->soon);
  return SL_OK;
}

int sl_task_off_done(sl_task *t, sl_done_cb cb, void *ud)
{
  int n = 0;
  if(!t)
    return 0;
  for(size_t i = 0; i < t->ncbs; i++) {
    if(t->cbs[i].cb == cb && t->cbs[i].ud == ud) {
      t->cbs[i].cb = NULL;
      n++;
    }
  }
  return n;
}

bool sl_task_cancel(sl_task *t, const char *msg)
{
  if(!t || sl_task_is_final(t))
    return false;
  if(t->stage == SL_ST_NEW) /* its admission has not run */
    sl__soon_cancel(&t->ctx->sched, &t->soon);
  sl__admit_cancel(t);
  sl__task_set_error(t, SL_ERR_CANCELLED, 0, msg ? msg : "cancelled");
  sl__task_finish(t, SL_ST_CANCELLED);
  return true;
}

void sl_task_free(sl_task *t)
{
  if(!t || !t->user_ref)
    return;
  t->user_ref = false;
  sl__task_unref(t);
}

enum sl_state sl_task_state(const sl_task *t)
{
  return t ? t->state : SL_PENDING;
}

/* The checks of reading a task's outcome (out: where it goes, or NULL):
   SL_OK, and it counts as retrieved, or the code to return. */
static int read_outcome(const sl_task *t, const void *out)
{
  if(!t || !out)
    return SL_EINVAL;
  if(!sl_task_is_final(t))
    return SL_ESTATE;
  ((struct sl_task *)t)->retrieved = true;
  return SL_OK;
}

int sl_task_response(const sl_task *t, const struct sl_response **out)
{
  int rc = read_outcome(t, out);
  bool has = !rc && (t->state == SL_DONE || t->resp.status);
  if(out)
    *out = has ? &t->resp : NULL;
  return rc ? rc : has ? SL_OK : SL_ENOENT;
}

int sl_task_error(const sl_task *t, const struct sl_error **out)
{
  int rc = read_outcome(t, out);
  if(out)
    *out = !rc && t->state != SL_DONE ? &t->err.e : NULL;
  return rc;
}

const char *sl_task_header_next(const sl_task *t, const char *name,
                                size_t *pos, const char **name_out)
{
  if(!t || !pos)
    return NULL;
  /* entries "Name\0value\0" (response.c), *pos at the next one */
  while(*pos < t->headers.len) {
    const char *hn = t->headers.p + *pos;
    const char *v = hn + strlen(hn) + 1;
    *pos = (size_t)(v - t->headers.p) + strlen(v) + 1;
    if(!name || !strcasecmp(hn, name)) {
      if(name_out)
        *name_out = hn;
      return v;
    }
  }
  return NULL;
}

const char *sl_task_header(const sl_task *t, const char *name)
{
  size_t pos = 0;
  return name ? sl_task_header_next(t, name, &pos, NULL) : NULL;
}

int sl_task_set_name(sl_task *t, const char *name)
{
  if(!t || !name)
    return SL_EINVAL;
  sl_buf_reset(&t->name, 1024);
  if(sl_buf_append(&t->name, name, strlen(name)))
    return SL_ENOMEM;
  return SL_OK;
}

const char *sl_task_name(const sl_task *t)
{
  struct sl_task *mt = (struct sl_task *)t;
  if(!t)
    return NULL;
  if(t->name.len)
    return t->name.p;
  if(!mt->namebuf[0])
    snprintf(mt->namebuf, sizeof(mt->namebuf), "Task-%llu",
             (unsigned long long)t->id);
  return t->namebuf;
}

const char *sl_task_url(const sl_task *t)
{
  return t ? t->url.p : NULL;
}

unsigned sl_task_attempts(const sl_task *t)
{
  return t ? t->attempts : 0;
}

uint64_t sl_task_bytes(const sl_task *t)
{
  return t ? t->resp.bytes : 0;
}

void *sl_task_userdata(const sl_task *t)
{
  return t ? t->userdata : NULL;
}

sl_ctx *sl_task_ctx(const sl_task *t)
{
  return t ? t->ctx : NULL;
}

sl_task *sl_current_task(const sl_ctx *ctx)
{
  return ctx ? ctx->tasks.current : NULL;
}

/* ---- creation and the pool -------------------------------------------- */

static void destroy(struct sl_task *t)
{
  if(t->cbs != t->cbs_inline)
    free(t->cbs);
  sl_buf_free(&t->url);
  sl_buf_free(&t->name);
  sl_buf_free(&t->err.msg);
  sl_buf_free(&t->body);
  sl_buf_free(&t->headers);
  sl_buf_free(&t->meta);
  sl_buf_free(&t->hop_url);
  sl__reqx_free(&t->rx);
  free(t);
}

/* asyncio's "Task exception was never retrieved". */
static void warn_unretrieved(struct sl_tasks *ts, struct sl_task *t)
{
  char msg[512];
  if(ts->quiet || t->state != SL_FAILED || t->retrieved)
    return;
  snprintf(msg, sizeof(msg),
           "sluice: task error was never retrieved: %s (%s): %s: %s",
           sl_task_name(t), t->url.p, sl_error_kind_name(t->err.e.kind),
           t->err.e.message);
  if(ts->warn)
    ts->warn(msg, ts->warn_ud);
  else /* the URL and the message may hold anything */
    sl_term_printf(stderr, "%s\n", msg);
}

/* A task nobody needs any more: to the pool, keeping its buffers'
   memory (bounded in size), or freed. */
static void recycle(struct sl_task *t)
{
  struct sl_tasks *ts = &t->ctx->tasks;
  warn_unretrieved(ts, t);
  SL_LIST_REMOVE(ts->all, ts->all_tail, t, all_prev, all_next);
  if(ts->closing || ts->nspare >= ts->max_spare) {
    destroy(t);
    return;
  }
  sl_buf_reset(&t->url, 4096);
  sl_buf_reset(&t->name, 256);
  sl_buf_reset(&t->err.msg, 1024);
  sl_buf_reset(&t->body, 64 * 1024);
  sl_buf_reset(&t->headers, 16 * 1024);
  sl_buf_reset(&t->meta, 4096);
  sl_buf_reset(&t->hop_url, 4096);
  sl__reqx_reset(&t->rx);
  if(t->cbs != t->cbs_inline)
    free(t->cbs);
  t->cbs = t->cbs_inline;
  SL_LIST_APPEND(ts->spare, ts->spare_tail, t, all_prev, all_next);
  ts->nspare++;
}

/* A zeroed task, from the pool (its buffers' memory kept) or new. */
static struct sl_task *task_alloc(struct sl_tasks *ts)
{
  struct sl_task *t = ts->spare;
  struct sl_buf bufs[7];
  struct sl_reqx rx;
  if(!t)
    return calloc(1, sizeof(*t));
  SL_LIST_REMOVE(ts->spare, ts->spare_tail, t, all_prev, all_next);
  ts->nspare--;
  bufs[0] = t->url;
  bufs[1] = t->name;
  bufs[2] = t->err.msg;
  bufs[3] = t->body;
  bufs[4] = t->headers;
  bufs[5] = t->meta;
  bufs[6] = t->hop_url;
  rx = t->rx;
  memset(t, 0, sizeof(*t));
  t->url = bufs[0];
  t->name = bufs[1];
  t->err.msg = bufs[2];
  t->body = bufs[3];
  t->headers = bufs[4];
  t->meta = bufs[5];
  t->hop_url = bufs[6];
  t->rx = rx;
  return t;
}

/* Copies what the task keeps of req; false when memory ran out. */
static bool copy_request(struct sl_task *t, const struct sl_request *req,
                         int64_t now)
{
  t->flags = req->flags;
  t->priority = req->priority;
  t->connect_timeout_ms = req->connect_timeout_ms;
  t->try_timeout_ms = req->try_timeout_ms > 0 ? req->try_timeout_ms : 0;
  t->max_redirects = req->max_redirects;
  t->max_body = req->max_body;
  t->userdata = req->userdata;
  t->on_body = req->on_body;
  t->body_ud = req->body_ud;
  t->on_headers = req->on_headers;
  t->headers_ud = req->headers_ud;
  if(t->on_headers)
    t->flags |= SL_REQ_KEEP_HEADERS;
  t->body_fd = -1;
  t->created_at = now;
  if(req->timeout_ms > 0)
    t->deadline = now + sl_ns_from_ms(req->timeout_ms);
  return sl__reqx_copy(&t->rx, req, &t->ctx->xfer.hdrs, &t->flags);
}

struct sl_task *sl__task_new(struct sl_ctx *ctx, const struct sl_request *req)
{
  struct sl_tasks *ts = &ctx->tasks;
  const char *url = req->url ? req->url : "";
  struct sl_task *t = task_alloc(ts);
  if(!t || sl_buf_append(&t->url, url, strlen(url)))
    goto nomem;
  t->ctx = ctx;
  if(!copy_request(t, req, sl_loop_now(ctx->loop)))
    goto nomem;
  t->id = ++ts->next_id;
  t->user_ref = true;
  t->refs = 1;
  t->cbs = t->cbs_inline;
  t->cbs_cap = SL_INLINE_CBS;
  t->err.e.message = "";
  sl_soon_init(&t->soon, run_soon);
  sl__admit_init(t);
  t->state = SL_PENDING;
  t->stage = SL_ST_NEW;
  ts->stats.created++;
  if(!ts->stats.pending++ && !ts->stats.running)
    sl__ctx_hold(ctx); /* the first live task holds the loop */
  SL_LIST_APPEND(ts->all, ts->all_tail, t, all_prev, all_next);
  return t;
nomem:
  if(t)
    destroy(t);
  errno = ENOMEM;
  return NULL;
}

sl_task *sl_fetch(sl_ctx *ctx, const struct sl_request *req)
{
  return sl__fetch(ctx, req, NULL);
}

sl_task *sl__fetch(struct sl_ctx *ctx, const struct sl_request *req,
                   struct sl_group *g)
{
  struct sl_task *t;
  if(!ctx || !req) {
    errno = EINVAL;
    return NULL;
  }
  if(ctx->tasks.closing) {
    errno = ECANCELED;
    return NULL;
  }
  t = sl__task_new(ctx, req);
  if(!t)
    return NULL;
  /* a group's deadline is its tasks' too */
  if(g && g->deadline > 0 && (!t->deadline || g->deadline < t->deadline))
    t->deadline = g->deadline;
  if(g)
    sl__group_task_added(g, t);
  sl__call_soon(&ctx->sched, &t->soon);
  return t;
}

void sl__tasks_free(struct sl_tasks *ts)
{
  struct sl_task *t;
  while((t = ts->all)) {
    warn_unretrieved(ts, t);
    SL_LIST_REMOVE(ts->all, ts->all_tail, t, all_prev, all_next);
    destroy(t);
  }
  while((t = ts->spare)) {
    SL_LIST_REMOVE(ts->spare, ts->spare_tail, t, all_prev, all_next);
    destroy(t);
  }
}
