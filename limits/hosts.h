/*
 * hosts.h - the per-host table: for each "host:port" a FIFO semaphore
 * (per-host concurrency), an optional token bucket (per-host rate), an
 * optional byte bucket (per-host bandwidth, limits/byterate.h) and a
 * pause (Retry-After), created on first use and freed once idle.
 *
 * Pure policy: no loop, no clock (every call takes `now`, int64_t ns, see
 * ns.h), no I/O.  Allocation goes through the table's hooks.
 *
 * Lifetime.  sl_hosts_get() finds or creates the entry and counts one
 * user; sl_hosts_put() drops that user.  A task should hold one user
 * from the moment it knows its host until it is final (queued, waiting
 * and running all count).  An entry with no user is freed as soon as it
 * is also "forgettable": no permit held, no waiter, no pause in the
 * future, and its buckets full again, i.e. indistinguishable from a fresh
 * entry (freeing it earlier would forgive the host's rate, its bandwidth
 * debt or its Retry-After).  Until then it lingers in a heap ordered by the
 * time it becomes forgettable, and any later get/put/sweep frees it.  So
 * memory follows the hosts that are in use or still owed a wait, never the
 * number of hosts ever seen.
 *
 * Admission.  A task leaves PENDING when the global semaphore, its
 * host's semaphore, the global bucket and its host's bucket all admit it
 * and its host is not paused.  The semaphores hand permits to waiters
 * (FIFO), the buckets and the pause are times; a permit held while
 * waiting for a time blocks others, and a token taken by a task that
 * then waits is lost.  So:
 *
 *   1. Host first.  Wait (timer at sl_host_ready_at()) until the host is
 *      not paused, then take a host permit (sl_sem_try_acquire(&h->sem)
 *      or sl_sem_enqueue(&h->sem, ...)).  Holding it while waiting only
 *      delays tasks of the same host, which could not go anyway.
 *   2. With the host permit: wait (timer) until sl_host_ready_at(h, now)
 *      == now, i.e. not paused and a host token is available.  Peek
 *      only: take nothing yet.
 *   3. Then the global permit (try_acquire or enqueue on the global
 *      semaphore).  Never take the global permit before the host is
 *      ready: a task holding it while it waits for a slow host would
 *      starve every other host.
 *   4. Holding both permits, in one step (nothing can run in between,
 *      the loop is single-threaded):
 *        t = max(sl_host_ready_at(h, now), sl_bucket_next_at(&g, now));
 *        if t == now: sl_bucket_take(&g, now); sl_host_take(h, now);
 *                     start the transfer.
 *      Both peeks succeeded, so both takes succeed: a token is only ever
 *      taken by a task that starts at once.  Otherwise:
 *        - the global bucket is empty: keep both permits and arm a timer
 *          at its next_at (every task waits for it alike);
 *        - the host is not ready (another task of the same host took
 *          its token first, or a 429 paused it): release the global
 *          permit (it passes to the next global waiter) and go back to
 *          step 2.  To make that rare, let one task per host at a time
 *          be past step 2 when the host has a bucket or a pause.
 *   On completion release both permits; on cancel remove the task from
 *   whichever queue it is in (sl_sem_remove) or release what it holds.
 *   Host first, global last, on purpose: the natural order (global
 *   semaphore, host semaphore, global bucket, host bucket) would let a
 *   task hold a global slot while its host keeps it waiting.
 *
 * Time.  Pauses and buckets take absolute times; a backward clock jump
 * (ev_now() is the wall clock) shifts a pause and a bucket back with it
 * rather than extending the wait by the jump.
 */
#ifndef SL_LIMITS_HOSTS_H
#define SL_LIMITS_HOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits/bucket.h"
#include "limits/byterate.h"
#include "base/hash.h"
#include "base/heap.h"
#include "limits/rate.h"
#include "limits/sem.h"

#define SL_HOSTS_DEFAULT_CONNS 6
#define SL_HOSTS_MAX_HOST      1024 /* longest host name accepted */

struct sl_hosts_config {
  size_t max_conns;      /* per host, >= 1 (SIZE_MAX: no limit); default 6 */
  struct sl_rate rate;   /* per host; count 0 (the default): no rate */
  unsigned burst;        /* per host bucket; 0 (the default) means 1 */
  uint64_t bandwidth;    /* per host, bytes per second; 0: no cap */
  uint64_t seed;         /* hash seed (randomize against crafted lists) */
  struct sl_alloc alloc; /* entries, slots and heap; zero: malloc/free */
};

struct sl_host {
  struct sl_sem sem;       /* per-host concurrency, FIFO */
  struct sl_bucket bucket; /* per-host rate, when has_bucket */
  bool has_bucket;
  struct sl_byterate bw; /* per-host bandwidth, when has_bw */
  bool has_bw;
  int64_t pause_until; /* paused while now < pause_until */
  size_t users;        /* sl_hosts_get() not yet matched by put */
  size_t running;      /* of the users, those whose transfer runs (the
                          caller counts them; the rest wait) */
  bool pinned;         /* limits of its own: never freed (sl_hosts_pin) */
  /* private to hosts.c */
  struct sl_hnode node;     /* in the table, keyed by key */
  struct sl_heap_node idle; /* in the idle heap while unused */
  int64_t idle_until;       /* heap key: forgettable from then on */
  int64_t last;             /* the latest now seen */
  size_t keylen;
  char key[]; /* "host:port", host in lower case */
};

struct sl_hosts {
  struct sl_hosts_config cfg;
  struct sl_htable table; /* every entry alive, by key */
  struct sl_heap idle;    /* unused entries, earliest idle_until first */
};

/* Defaults: 6 connections per host, no rate, burst 1, malloc/free. */
void sl_hosts_config_init(struct sl_hosts_config *c);

/* c NULL: the defaults.  Returns false on an invalid configuration
   (max_conns 0, a rate sl_bucket_init() rejects, a bandwidth
   sl_byterate_init() rejects) or out of memory. */
bool sl_hosts_init(struct sl_hosts *t, const struct sl_hosts_config *c);

/* Frees every entry, used or not: entries still referenced dangle. */
void sl_hosts_free(struct sl_hosts *t);

/* Finds or creates the entry of host:port and counts one user.  Host
   names compare without regard to ASCII case.  Returns NULL when out of
   memory or when host is NULL, empty or longer than SL_HOSTS_MAX_HOST,
   or port > 65535. */
struct sl_host *sl_hosts_get(struct sl_hosts *t, const char *host,
                             unsigned port, int64_t now);

/* The same for a key made by the caller (keylen bytes, lower case, at
   most SL_HOSTS_MAX_HOST + 7): a host name and port as above, or any
   other politeness key (a domain, an address). */
struct sl_host *sl_hosts_get_key(struct sl_hosts *t, const char *key,
                                 size_t keylen, int64_t now);

/* Finds or creates the entry of key and pins it: it keeps its limits
   (sl_host_set_limits) and is never freed, used or not, until
   sl_hosts_unpin().  Counts no user.  NULL when out of memory or for a
   bad key. */
struct sl_host *sl_hosts_pin(struct sl_hosts *t, const char *key,
                             size_t keylen, int64_t now);

/* Unpins h: it may be freed from now on as any entry (do not use it
   afterwards unless it has users). */
void sl_hosts_unpin(struct sl_hosts *t, struct sl_host *h, int64_t now);

/* h's own limits: max_conns (0: the table's) and rate (NULL: the
   table's; a rate with count 0: none) with burst (0: the table's; 1 for
   an interval that must hold between any two starts), the bucket
   starting full.  Returns the first waiter the new limit admits
   (sl_sem_next_admitted() for more), or NULL.  Pin h first, or the
   limits go with the entry. */
struct sl_sem_waiter *sl_host_set_limits(struct sl_hosts *t, struct sl_host *h,
                                         size_t max_conns,
                                         const struct sl_rate *rate,
                                         unsigned burst, int64_t now);

/* Drops one user of h (from sl_hosts_get).  h may be freed here: do not
   use it afterwards.  The last user must have left h's semaphore (no
   permit held, not queued). */
void sl_hosts_put(struct sl_hosts *t, struct sl_host *h, int64_t now);

/* Frees the idle entries that have become forgettable by now.  get and
   put do this too; call it from a timer only to give memory back while
   nothing else happens. */
void sl_hosts_sweep(struct sl_hosts *t, int64_t now);

/* "host:port" */
const char *sl_host_key(const struct sl_host *h);

/* The entry of key ("host:port", as sl_host_key() gives it, compared
   without regard to ASCII case), or NULL: none is alive.  Counts no
   user. */
struct sl_host *sl_hosts_find(struct sl_hosts *t, const char *key);

/* Pauses h until `until` (Retry-After), keeping the later of the current
   pause and the new one. */
void sl_host_pause_until(struct sl_host *h, int64_t until, int64_t now);

/* now < the end of h's pause */
bool sl_host_paused(struct sl_host *h, int64_t now);

/* The earliest time, >= now, at which h is not paused and its bucket (if
   any) has a token: `now` when both hold.  Consumes nothing and ignores
   the semaphore.  Arm a timer at the result. */
int64_t sl_host_ready_at(struct sl_host *h, int64_t now);

/* If h is not paused and its bucket (if any) has a token, consumes the
   token and returns true.  See "Admission" above for when to call it. */
bool sl_host_take(struct sl_host *h, int64_t now);

#endif
