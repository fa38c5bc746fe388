/*
 * ctx.h - the context: what it is made of.  Each part is owned by its own
 * file (the loop by loop/, the ready queue by sched.c, the timers by
 * timers.c, the tasks by task.c, the limits by admit.c, the names by
 * resolve.c, the origins by origin.c, the easy handles by transfer.c,
 * robots.txt by robotsfetch.c); ctx.c only puts them
 * together and takes them apart.
 */
#ifndef SL_FETCHER_CTX_H
#define SL_FETCHER_CTX_H

#include "sluice.h"

#include "fetcher/admit.h"
#include "fetcher/origin.h"
#include "fetcher/resolve.h"
#include "fetcher/sched.h"
#include "fetcher/task.h"
#include "fetcher/timers.h"
#include "fetcher/transfer.h"
#include "loop/loop.h"

struct sl_ctx {
  struct sl_loop *loop;
  bool owns_loop; /* EV_DEFAULT, which the blocking waits may run */
  struct sl_sched sched;
  struct sl_timers timers;
  struct sl_tasks tasks;
  struct sl_admission adm;
  struct sl_resolver *resolver;
  struct sl_origins origins;
  struct sl_xfer xfer;
  struct sl_group *groups, *groups_tail;           /* top-level groups */
  struct sl_as_completed *iters, *iters_tail;      /* live iterators */
  struct sl_timer *user_timers, *user_timers_tail; /* call_later */
  struct sl_reader *readers, *readers_tail;        /* add_reader */
  unsigned readers_kept;                 /* readers that keep sl_run() going */
  struct sl_queue *queues, *queues_tail; /* queue.c */
  /* robotsfetch.c: each origin's robots.txt; NULL: not asked */
  struct sl_robots_cache *robots;
};

/* Holds the loop (keeps a caller's ev_run going) while the context has
   work: a live task or a caller's timer (sl_call_later); lets it go
   otherwise.  Called when either count may have reached or left zero. */
void sl__ctx_hold(struct sl_ctx *ctx);

/* as_completed.c, services.c, group.c: what is left at sl_ctx_free */
void sl__as_completed_free_all(struct sl_ctx *ctx);
void sl__services_free_all(struct sl_ctx *ctx);
void sl__group_free_all(struct sl_ctx *ctx);
void sl__queue_free_all(struct sl_ctx *ctx);

#endif
