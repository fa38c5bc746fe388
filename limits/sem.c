/*
 * sem.c - counting semaphore with FIFO waiters.  See sem.h.
 */
#include "limits/sem.h"

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
  w->next = NULL;
  w->prev = s->tail;
  if(s->tail)
    s->tail->next = w;
  else
    s->head = w;
  s->tail = w;
  w->queued = true;
  s->waiting++;
}

void sl_sem_remove(struct sl_sem *s, struct sl_sem_waiter *w)
{
  if(!w->queued)
    return;
  if(w->prev)
    w->prev->next = w->next;
  else
    s->head = w->next;
  if(w->next)
    w->next->prev = w->prev;
  else
    s->tail = w->prev;
  w->prev = w->next = NULL;
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
