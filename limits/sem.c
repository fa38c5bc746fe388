/*
 * sem.c - counting semaphore with waiters in priority order, FIFO within
 * a priority.  See sem.h.
 */
#include "limits/sem.h"

#include "base/list.h"

#include <assert.h>

void sl_sem_init(struct sl_sem *s, size_t limit)
{
  s->limit = limit;
  s->held = 0;
  s->waiting = 0;
  s->head = s->tail = NULL;
}

bool sl_sem_try_acquire(struct sl_sem *s)
{
  if(s->head || s->held >= s->limit)
    return false;
  s->held++;
  return true;
}

void sl_sem_enqueue(struct sl_sem *s, struct sl_sem_waiter *w)
{
  assert(!w->queued);
  SL_LIST_INSERT_SORTED(s->head, s->tail, w, prev, next, prio);
  w->queued = true;
  s->waiting++;
}

void sl_sem_remove(struct sl_sem *s, struct sl_sem_waiter *w)
{
  if(!w->queued)
    return;
  SL_LIST_REMOVE(s->head, s->tail, w, prev, next);
  w->queued = false;
  s->waiting--;
}

struct sl_sem_waiter *sl_sem_next_admitted(struct sl_sem *s)
{
  struct sl_sem_waiter *w = s->head;
  if(!w || s->held >= s->limit)
    return NULL;
  sl_sem_remove(s, w);
  s->held++;
  return w;
}

struct sl_sem_waiter *sl_sem_release(struct sl_sem *s)
{
  assert(s->held > 0);
  s->held--;
  return sl_sem_next_admitted(s);
}

struct sl_sem_waiter *sl_sem_set_limit(struct sl_sem *s, size_t limit)
{
  s->limit = limit;
  return sl_sem_next_admitted(s);
}
