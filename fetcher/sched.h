/*
 * sched.h - the scheduler: asyncio's ready queue (call_soon) and the
 * loops that run it.  Deferred work (admitting a new task, running a
 * task's done callbacks, a group's done callback) is a node put on the
 * queue; the loop's check phase runs the queue after sl_loop_wake(), so
 * user code never runs inside curl and never inside the call that
 * scheduled it.  The scheduler knows nothing of tasks: it runs nodes.
 */
#ifndef SL_FETCHER_SCHED_H
#define SL_FETCHER_SCHED_H

#include <stdbool.h>

struct sl_loop;

struct sl_soon {
  void (*run)(struct sl_soon *s);
  struct sl_soon *prev, *next;
  bool queued;
};

struct sl_sched {
  struct sl_loop *loop;
  bool owns_loop; /* EV_DEFAULT: the blocking waits may run it */
  struct sl_soon *head, *tail;
  unsigned depth; /* > 0 while the queue runs */
};

static inline void sl_soon_init(struct sl_soon *s,
                                void (*run)(struct sl_soon *s))
{
  s->run = run;
  s->prev = s->next = 0;
  s->queued = false;
}

/* Puts s at the end of the queue (a no-op when it is queued). */
void sl__call_soon(struct sl_sched *q, struct sl_soon *s);

/* Takes s off the queue (a no-op when it is not queued). */
void sl__soon_cancel(struct sl_sched *q, struct sl_soon *s);

/* The loop's tick: runs the queue, and what running it queues, for a few
   rounds; then gives I/O a turn. */
void sl__sched_tick(struct sl_sched *q);

/* Runs every node queued now, in order (teardown). */
void sl__sched_drain(struct sl_sched *q);

static inline bool sl__sched_idle(const struct sl_sched *q)
{
  return !q->head;
}

/* SL_OK when the caller may run the loop here (blocking waits): sluice
   owns the loop and no callback of the loop is running; else
   SL_EBUSY. */
int sl__sched_can_block(const struct sl_sched *q);

/* One iteration of the loop, for the blocking waits. */
void sl__sched_run_once(struct sl_sched *q);

#endif
