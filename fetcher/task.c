/*
 * task.c - the task: its state machine, done callbacks, cancellation and
 * the public getters.
 *
 * Every state change goes through set_state() so the context's counters
 * stay true.  A task reaches a final state in sl__task_finish() only; that
 * queues its done callbacks, which the context's tick runs (never from
 * inside curl, never from inside the call that made the task final).
 */
#include "fetcher/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
      return &s->cancelled;
  }
  return &s->failed;
}

void sl__task_set_state(struct sl_task *t, enum sl_state st)
{
  struct sl_stats *s = &t->ctx->stats;
  if(t->state == SL_PENDING || t->state == SL_RUNNING)
    (*state_counter(s, t->state))--;
  (*state_counter(s, st))++;
  t->state = st;
}

bool sl_task_is_final(const sl_task *t)
{
  return t && t->state >= SL_DONE;
}

/* Puts t on the context's done queue so its callbacks run at the next
   tick. */
static void queue_callbacks(struct sl_task *t)
{
  struct sl_ctx *ctx = t->ctx;
  if(t->queued)
    return;
  t->queued = true;
  t->done_next = NULL;
  if(ctx->done_tail)
    ctx->done_tail->done_next = t;
  else
    ctx->done_head = t;
  ctx->done_tail = t;
  sl_loop_wake(ctx->loop);
}

void sl__task_set_error(struct sl_task *t, enum sl_error_kind kind, int code,
                        const char *msg)
{
  size_t n = strlen(msg);
  t->err.kind = kind;
  t->err.code = code;
  if(n < sizeof(t->errbuf)) {
    if(msg != t->errbuf)
      memcpy(t->errbuf, msg, n + 1);
    t->err.message = t->errbuf;
    return;
  }
  sl_buf_reset(&t->msg, SIZE_MAX);
  if(sl_buf_append(&t->msg, msg, n) == 0) {
    t->err.message = t->msg.p;
    return;
  }
  /* out of memory: keep what fits */
  memcpy(t->errbuf, msg, sizeof(t->errbuf) - 1);
  t->errbuf[sizeof(t->errbuf) - 1] = '\0';
  t->err.message = t->errbuf;
}

void sl__task_finish(struct sl_task *t, enum sl_state state)
{
  struct sl_ctx *ctx = t->ctx;
  sl__task_set_state(t, state);
  sl_tmr_disarm(&ctx->timers, &t->tmr);
  if(state == SL_DONE) {
    t->err.kind = SL_ERR_NONE;
    t->err.code = 0;
  }
  /* callbacks first in the queue, so a failing task's run before those of
     the siblings its group cancels below */
  queue_callbacks(t);
  if(t->group)
    sl__group_task_final(t->group, t);
  sl__admit_done(t); /* slots and host given back, maybe to a waiter */
}

void sl__task_ref(struct sl_task *t)
{
  t->refs++;
}

static bool reclaimable(const struct sl_task *t)
{
  return !t->refs && sl_task_is_final(t) && !t->queued && !t->dispatching;
}

void sl__task_unref(struct sl_task *t)
{
  t->refs--;
  if(reclaimable(t))
    sl__ctx_recycle(t->ctx, t);
}

void sl__task_dispatch(struct sl_task *t)
{
  struct sl_task *outer = t->ctx->current;
  size_t i;
  t->dispatching = true;
  t->ctx->current = t;
  for(i = 0; i < t->ncbs; i++) {
    struct sl_cb c = t->cbs[i]; /* copy: a callback may grow t->cbs */
    if(!c.cb)
      continue;
    t->cbs[i].cb = NULL;
    c.cb(t, c.ud);
  }
  t->ncbs = 0;
  t->dispatching = false;
  t->ctx->current = outer;
  if(reclaimable(t))
    sl__ctx_recycle(t->ctx, t);
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
    queue_callbacks(t);
  return SL_OK;
}

int sl_task_off_done(sl_task *t, sl_done_cb cb, void *ud)
{
  size_t i;
  int n = 0;
  if(!t)
    return 0;
  for(i = 0; i < t->ncbs; i++) {
    if(t->cbs[i].cb == cb && t->cbs[i].ud == ud) {
      t->cbs[i].cb = NULL;
      n++;
    }
  }
  return n;
}

bool sl_task_cancel(sl_task *t, const char *msg)
{
  struct sl_ctx *ctx;
  if(!t || sl_task_is_final(t))
    return false;
  ctx = t->ctx;
  if(t->state == SL_PENDING) {
    sl_tmr_disarm(&ctx->timers, &t->tmr);
    sl__admit_leave(t);
    if(t->in_incoming) {
      SL_LIST_REMOVE(ctx->in_head, ctx->in_tail, t, in_prev, in_next);
      t->in_incoming = false;
    }
  } else
    sl__transfer_stop(t);
  sl__task_set_error(t, SL_ERR_CANCELLED, 0, msg ? msg : "cancelled");
  sl__task_finish(t, SL_CANCELLED);
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
  return t->state;
}

int sl_task_response(const sl_task *t, const struct sl_response **out)
{
  if(out)
    *out = NULL;
  if(!t || !out)
    return SL_EINVAL;
  if(!sl_task_is_final(t))
    return SL_ESTATE;
  ((struct sl_task *)t)->retrieved = true;
  if(t->state == SL_DONE || (t->state == SL_FAILED && t->resp.status)) {
    *out = &t->resp;
    return SL_OK;
  }
  return SL_ENOENT;
}

int sl_task_error(const sl_task *t, const struct sl_error **out)
{
  if(out)
    *out = NULL;
  if(!t || !out)
    return SL_EINVAL;
  if(!sl_task_is_final(t))
    return SL_ESTATE;
  ((struct sl_task *)t)->retrieved = true;
  if(t->state != SL_DONE)
    *out = &t->err;
  return SL_OK;
}

const char *sl_task_header(const sl_task *t, const char *name)
{
  size_t n = strlen(name), off = 0;
  if(!t || !t->headers.len)
    return NULL;
  while(off < t->headers.len) {
    const char *line = t->headers.p + off;
    size_t len = strlen(line);
    if(len > n && line[n] == ':' && !strncasecmp(line, name, n)) {
      const char *v = line + n + 1;
      while(*v == ' ' || *v == '\t')
        v++;
      return v;
    }
    off += len + 1;
  }
  return NULL;
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
  return ctx ? ctx->current : NULL;
}

void sl__task_destroy(struct sl_task *t)
{
  if(t->cbs != t->cbs_inline)
    free(t->cbs);
  sl_buf_free(&t->url);
  sl_buf_free(&t->name);
  sl_buf_free(&t->msg);
  sl_buf_free(&t->body);
  sl_buf_free(&t->headers);
  sl_buf_free(&t->meta);
  free(t);
}
