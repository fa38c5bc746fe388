/*
 * sem.h - counting semaphore with FIFO waiters (asyncio.Semaphore).
 *
 * Pure policy: no loop, no clock, no allocation.  A waiter is a node the
 * caller embeds in its own struct.  Order: waiters are admitted lowest
 * priority value first, and FIFO among equal priorities (all zero: plain
 * FIFO).  Fairness: a new acquirer never jumps the queue; a released
 * permit is handed straight to the first waiter.  Enqueueing costs one
 * look when the priority is not below the last waiter's (a breadth-first
 * crawl's depths come in that order), else one per waiter it passes.
 */
#ifndef SL_LIMITS_SEM_H
#define SL_LIMITS_SEM_H

#include <stdbool.h>
#include <stddef.h>

struct sl_sem_waiter {
  struct sl_sem_waiter *prev, *next;
  int prio; /* lower first; set before enqueueing */
  bool queued;
};

struct sl_sem {
  size_t limit;   /* permits in all */
  size_t held;    /* permits handed out */
  size_t waiting; /* waiters queued */
  struct sl_sem_waiter *head, *tail;
};

void sl_sem_init(struct sl_sem *s, size_t limit);

/* Takes a permit if one is free and nobody is queued ahead. */
bool sl_sem_try_acquire(struct sl_sem *s);

/* Queues w (which must not be queued already) for a free permit, behind
   every waiter whose priority is not greater than w->prio. */
void sl_sem_enqueue(struct sl_sem *s, struct sl_sem_waiter *w);

/* Removes a queued waiter (a cancelled one).  No-op when not queued. */
void sl_sem_remove(struct sl_sem *s, struct sl_sem_waiter *w);

/* Returns a permit.  If a waiter is queued, the permit passes to the
   first one, which is dequeued and returned: the caller must start it.
   Otherwise returns NULL. */
struct sl_sem_waiter *sl_sem_release(struct sl_sem *s);

/* Changes the number of permits.  Returns the first waiter now admitted
   (call sl_sem_next_admitted() for more) or NULL. */
struct sl_sem_waiter *sl_sem_set_limit(struct sl_sem *s, size_t limit);

/* Dequeues and returns the first waiter if a permit is free for it. */
struct sl_sem_waiter *sl_sem_next_admitted(struct sl_sem *s);

#endif
