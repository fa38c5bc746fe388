/*
 * robotsfetch.h - robots.txt at admission (sl_options.robots): before the
 * first request to an origin (scheme, host and port), its /robots.txt is
 * fetched once by an internal task that goes through the name cache and
 * the limits as any task does, and its rules are kept for the run (24 h
 * at most); the origin's tasks wait for it in stage ROBOTS, then go on to
 * their name or fail with kind robots.  The rules themselves are
 * robots.c's (pure); what the answer means (RFC 9309 2.3.1) and the
 * backoff after an unreachable one are decided here.
 */
#ifndef SL_FETCHER_ROBOTSFETCH_H
#define SL_FETCHER_ROBOTSFETCH_H

#include "sluice.h"

#include <stdbool.h>

struct sl_task;
struct sl_robots_cache;

/* The cache of a context with o->robots, or NULL with errno ENOMEM. */
struct sl_robots_cache *sl__robots_cache_new(const struct sl_options *o);

/* Frees every origin's rules; no task may wait any more. */
void sl__robots_cache_free(struct sl_robots_cache *c);

/* t, its URL checked (prepare), may go on to its name: true.  false when
   it waits for its origin's robots.txt (stage ROBOTS; it goes on from
   sl__admit_name() or fails once that is in) or has failed (kind robots,
   or internal when memory ran out). */
bool sl__robots_admit(struct sl_task *t);

/* t waits no more (cancelled, past its deadline, finished).  Idempotent. */
void sl__robots_leave(struct sl_task *t);

/* t has taken its host (its politeness key is known): its origin's
   Crawl-delay goes to the key's limits (polite.c). */
void sl__robots_host(struct sl_task *t);

#endif
