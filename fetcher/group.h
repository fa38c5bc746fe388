/*
 * group.h - sl_group, asyncio's TaskGroup: what a group is, and how its
 * tasks tell it that they were added and that they ended.
 */
#ifndef SL_FETCHER_GROUP_H
#define SL_FETCHER_GROUP_H

#include "sluice.h"

#include "fetcher/sched.h"

#include <stdint.h>

struct sl_task;

struct sl_group {
  struct sl_ctx *ctx;
  struct sl_group *parent;
  struct sl_group *children, *children_tail;
  struct sl_group *sib_prev, *sib_next;
  struct sl_task *tasks, *tasks_tail; /* live ones, each referenced */
  size_t live;                        /* live tasks of this group */
  size_t live_children;               /* children with live tasks */
  int64_t deadline;                   /* loop time, ns; 0 = none */
  bool failed;                        /* its policy tripped: it cancelled */
  bool closed;                        /* failed or cancelled: no new tasks */
  bool notified;                      /* its done callback ran */
  struct sl_soon soon;                /* its done callback is due */
  void (*done_cb)(struct sl_group *g, void *ud);
  void *done_ud;
  struct sl_group_policy policy; /* max_errors 0 made the default */
  size_t failures;               /* counted so far */
  struct sl_task **errors;       /* the first failures, referenced, bounded */
  size_t nerrors, errors_cap;
};

/* t was created in g. */
void sl__group_task_added(struct sl_group *g, struct sl_task *t);

/* t of g became final: a failure cancels the group's tree. */
void sl__group_task_final(struct sl_group *g, struct sl_task *t);

#endif
