/*
 * queue.c - sl_queue, asyncio.Queue(maxsize) with priorities, for a
 * crawler's frontier: requests are put in (each copied whole, reqdup.c),
 * wait in priority order (lowest first, FIFO within one: a heap ordered
 * by priority and the order of putting), and a fixed number of workers
 * take them: the queue fetches an item once fewer than `workers` of its
 * items are in progress, and the task then goes through the limits like
 * any other, with the item's priority.  An item is done (asyncio's
 * task_done) once its task is final and on_done has returned, or, with
 * manual_done, at sl_queue_task_done(); join waits until every item put
 * is done.  put answers SL_EFULL when maxsize items wait, and on_space
 * says when one has left.
 *
 * Memory: one block per item (the request's copy), kept from put until
 * its task is final; the tasks are the queue's and are freed after
 * on_done.  Every callback runs from the scheduler or a task's done
 * callback, never from inside a call of the caller's.
 */
#include "base/container_of.h"
#include "base/list.h"
#include "fetcher/ctx.h"
#include "fetcher/group.h"
#include "fetcher/reqdup.h"

#include <errno.h>
#include <stdlib.h>

struct item {
  struct sl_heap_node node; /* in the queue while waiting */
  uint64_t seq;             /* the order of putting */
  struct sl_queue *q;
  sl_task *task;            /* once taken */
  struct item *prev, *next; /* taken: q->taken */
  struct sl_request *req;   /* the copy, in this block */
};

struct sl_queue {
  struct sl_ctx *ctx;
  struct sl_queue_options o;
  struct sl_heap waiting;
  uint64_t seq;
  size_t busy;                     /* taken and not yet done */
  size_t owed;                     /* manual_done: of those, the ones whose
                                      on_done ran, task_done not yet */
  struct item *taken, *taken_tail; /* their tasks are live or calling */
  bool want_space;                 /* a put was refused: on_space owed */
  bool joined;                     /* on_join ran since the last put */
  bool dead;                       /* freed inside its own callback */
  unsigned calling;                /* > 0 inside a callback of ours */
  struct sl_soon soon;             /* take more, on_space, on_join */
  struct sl_queue *prev, *next;    /* ctx->queues */
};

#define ITEM_OF(n) sl_container_of(n, struct item, node)

static bool before(const struct sl_heap_node *a, const struct sl_heap_node *b)
{
  const struct item *x = ITEM_OF(a), *y = ITEM_OF(b);
  if(x->req->priority != y->req->priority)
    return x->req->priority < y->req->priority;
  return x->seq < y->seq;
}

static void destroy(struct sl_queue *q);

/* After a callback of the caller's: false when the queue is gone. */
static bool called(struct sl_queue *q)
{
  if(--q->calling || !q->dead)
    return true;
  destroy(q);
  return false;
}

static void item_done(sl_task *t, void *ud);

/* A worker takes the first item: its task starts on its way.  An item
   that cannot be fetched (its group closed, out of memory) is dropped. */
static void take(struct sl_queue *q)
{
  struct item *it = ITEM_OF(sl_heap_top(&q->waiting));
  struct sl_task *t;
  sl_heap_remove(&q->waiting, &it->node);
  t = sl__fetch(q->ctx, it->req, q->o.group);
  if(!t || sl_task_on_done(t, item_done, it) != SL_OK) {
    if(t)
      sl_task_cancel(t, "out of memory");
    sl_task_free(t);
    free(it);
    return;
  }
  it->task = t;
  q->busy++;
  SL_LIST_APPEND(q->taken, q->taken_tail, it, prev, next);
}

static size_t unfinished(const struct sl_queue *q)
{
  return q->waiting.n + q->busy;
}

/* The scheduler runs the queue: workers take items while any is free,
   then on_space (a put was refused and there is room now) and on_join
   (nothing left) run, each once. */
static void run(struct sl_soon *s)
{
  struct sl_queue *q = sl_container_of(s, struct sl_queue, soon);
  while(q->busy < q->o.workers && q->waiting.n)
    take(q);
  if(q->want_space && q->waiting.n < q->o.maxsize && q->o.on_space) {
    q->want_space = false;
    q->calling++;
    q->o.on_space(q, q->o.ud);
    if(!called(q))
      return;
  }
  if(!unfinished(q) && !q->joined && q->o.on_join) {
    q->joined = true;
    q->calling++;
    q->o.on_join(q, q->o.ud);
    called(q);
  }
}

static void wake(struct sl_queue *q)
{
  sl__call_soon(&q->ctx->sched, &q->soon);
}

/* One item done: a worker is free. */
static void finish_one(struct sl_queue *q)
{
  q->busy--;
  wake(q);
}

/* The task of an item is final: on_done, then the task goes. */
static void item_done(sl_task *t, void *ud)
{
  struct item *it = ud;
  struct sl_queue *q = it->q;
  SL_LIST_REMOVE(q->taken, q->taken_tail, it, prev, next);
  free(it);
  q->calling++;
  if(q->o.on_done)
    q->o.on_done(q, t, q->o.ud);
  sl_task_free(t);
  if(!called(q))
    return;
  if(q->o.manual_done)
    q->owed++;
  else
    finish_one(q);
}

sl_queue *sl_queue_new(sl_ctx *ctx, const struct sl_queue_options *o)
{
  static const struct sl_queue_options defaults;
  struct sl_queue *q;
  if(!ctx || (o && o->group && o->group->ctx != ctx)) {
    errno = EINVAL;
    return NULL;
  }
  q = calloc(1, sizeof(*q));
  if(!q) {
    errno = ENOMEM;
    return NULL;
  }
  q->ctx = ctx;
  q->o = o ? *o : defaults;
  if(!q->o.workers)
    q->o.workers = ctx->adm.sem.limit * 2;
  if(!q->o.maxsize)
    q->o.maxsize = SIZE_MAX;
  q->waiting.before = before;
  sl_soon_init(&q->soon, run);
  SL_LIST_APPEND(ctx->queues, ctx->queues_tail, q, prev, next);
  return q;
}

int sl_queue_put(sl_queue *q, const struct sl_request *req)
{
  struct sl_request *copy;
  struct item *it;
  if(!q || !req || q->dead)
    return SL_EINVAL;
  if(q->waiting.n >= q->o.maxsize) {
    q->want_space = true;
    return SL_EFULL;
  }
  if(sl_heap_reserve(&q->waiting, q->waiting.n + 1))
    return SL_ENOMEM;
  it = sl__request_dup(req, sizeof(*it), &copy);
  if(!it)
    return SL_ENOMEM;
  sl_heap_node_init(&it->node);
  it->q = q;
  it->req = copy;
  it->seq = ++q->seq;
  sl_heap_push(&q->waiting, &it->node);
  q->joined = false;
  wake(q);
  return SL_OK;
}

int sl_queue_task_done(sl_queue *q)
{
  if(!q || !q->o.manual_done)
    return SL_EINVAL;
  if(!q->owed)
    return SL_ESTATE;
  q->owed--;
  finish_one(q);
  return SL_OK;
}

size_t sl_queue_size(const sl_queue *q)
{
  return q ? q->waiting.n : 0;
}

size_t sl_queue_unfinished(const sl_queue *q)
{
  return q ? unfinished(q) : 0;
}

int sl_queue_join(sl_queue *q)
{
  int rc = q ? sl__sched_can_block(&q->ctx->sched) : SL_EINVAL;
  if(rc)
    return rc;
  while(unfinished(q))
    sl__sched_run_once(&q->ctx->sched);
  return SL_OK;
}

static void destroy(struct sl_queue *q)
{
  struct sl_heap_node *n;
  struct item *it;
  sl__soon_cancel(&q->ctx->sched, &q->soon);
  while((n = sl_heap_top(&q->waiting))) {
    sl_heap_remove(&q->waiting, n);
    free(ITEM_OF(n));
  }
  sl_heap_free(&q->waiting);
  while((it = q->taken)) {
    SL_LIST_REMOVE(q->taken, q->taken_tail, it, prev, next);
    sl_task_off_done(it->task, item_done, it);
    sl_task_cancel(it->task, "queue freed");
    sl_task_free(it->task);
    free(it);
  }
  SL_LIST_REMOVE(q->ctx->queues, q->ctx->queues_tail, q, prev, next);
  free(q);
}

void sl_queue_free(sl_queue *q)
{
  if(!q || q->dead)
    return;
  q->dead = true;
  if(!q->calling)
    destroy(q);
}

void sl__queue_free_all(struct sl_ctx *ctx)
{
  while(ctx->queues)
    destroy(ctx->queues);
}
