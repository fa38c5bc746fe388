/*
 * weak.h - watchers that never keep a loop alive by themselves.
 *
 * A caller's loop must end with the work (DESIGN: "a caller's loop is
 * never kept alive by sluice once no task is live"), yet sluice needs
 * watchers that outlive a task: a socket curl keeps in its cache, a
 * curl timer, a c-ares query whose only waiter was cancelled, the alarm
 * of a timeout nobody waits for.  So every watcher of loop/ is weak:
 * unreferenced as soon as it starts (libev's ev_unref), referenced again
 * just before it stops.  What keeps the loop running is one reference
 * that the fetcher holds while it has work (sl_loop_hold in loop.h): a
 * live task, a callback due, a timer the caller asked for.  A weak
 * watcher is still polled: only ev_run's "anything left?" ignores it.
 */
#ifndef SL_LOOP_WEAK_H
#define SL_LOOP_WEAK_H

#include <ev.h>

static inline void sl_weak_io_start(struct ev_loop *ev, ev_io *w)
{
  ev_io_start(ev, w);
  ev_unref(ev);
}

static inline void sl_weak_io_stop(struct ev_loop *ev, ev_io *w)
{
  if(!ev_is_active(w))
    return;
  ev_ref(ev);
  ev_io_stop(ev, w);
}

/* A started watcher's events change (libev wants it stopped for that). */
static inline void sl_weak_io_set(struct ev_loop *ev, ev_io *w, int fd,
                                  int events)
{
  sl_weak_io_stop(ev, w);
  ev_io_set(w, fd, events);
  sl_weak_io_start(ev, w);
}

static inline void sl_weak_timer_start(struct ev_loop *ev, ev_timer *w)
{
  ev_timer_start(ev, w);
  ev_unref(ev);
}

/* Also for a timer that fired and whose callback has not run yet: libev
   stopped it (taking its reference) and the stop here takes it off the
   pending list, so that callback never runs: the reference is given back
   here instead of in the callback (sl_weak_timer_fired). */
static inline void sl_weak_timer_stop(struct ev_loop *ev, ev_timer *w)
{
  if(ev_is_active(w) || ev_is_pending(w))
    ev_ref(ev);
  ev_timer_stop(ev, w);
}

/* First thing in the callback of a weak timer that does not repeat:
   libev stopped it before calling (and unreferenced the loop for the
   stop), so the reference its start took away is given back. */
static inline void sl_weak_timer_fired(struct ev_loop *ev)
{
  ev_ref(ev);
}

#endif
