/*
 * origin.h - what the transfers to one origin (scheme, host name and
 * port: what curl keys its connections on) share beyond the limits.
 *
 * For https, the origin's TLS sessions and a gate.  curl's own session
 * caches are too small for a crawl (libcurl 7.88: 5 per easy handle, or
 * 8 in a share handle; 8.x: 25 per multi handle, against a thousand
 * hosts handshaking at once), so each https origin gets a curl share
 * handle of its own (CURL_LOCK_DATA_SSL_SESSION), given to the easy
 * handle of every transfer to it.  A session exists only once a
 * handshake is done, so a host's second connection opened beside its
 * first could never resume: the gate lets one transfer make the origin's
 * first connection while the others wait (admit.c), until its response
 * began or it ended; then the gate opens for all.  It closes again when
 * no task of the origin is left, so that a later burst checks anew.
 *
 * Every origin's share (http too) also keeps curl's DNS cache
 * (CURL_LOCK_DATA_DNS): the names sluice resolved, given to curl with
 * CURLOPT_RESOLVE.  libcurl walks its whole DNS cache after every
 * transfer to prune it (7.88 unless the timeout is -1, 8.x always), so
 * one cache for the context cost a crawl of 1 000 hosts a walk over
 * 2 000 entries per request (about a fifth of its instructions); an
 * origin's cache holds its own name.
 *
 * For every origin, the connections it has open (counted from the
 * loop's sockets) and its transfers in curl: an HTTP/1.1 transfer that
 * cannot find an idle connection (every open one is held by a running
 * transfer) asks curl for a fresh one (CURLOPT_FRESH_CONNECT), which
 * spares it a walk over all the busy ones: libcurl 8 compares the scheme
 * and host name of each before it looks whether it is busy, 7.88 looks
 * first but still walks; with 10 000 connections opening at once that
 * walk was quadratic on both.
 *
 * An origin lives while a task, an easy handle or a connection holds it;
 * then it waits among the idle ones, its sessions kept for a later
 * visit, until max_idle newer ones push it out.
 */
#ifndef SL_FETCHER_ORIGIN_H
#define SL_FETCHER_ORIGIN_H

#include "base/hash.h"
#include "fetcher/sched.h"
#include "limits/sem.h"

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

struct sl_origins;

struct sl_origin {
  struct sl_hnode node;
  struct sl_origins *table;
  CURLSH *share;         /* its TLS sessions (https) and names */
  struct sl_sem gate;    /* https: 1 permit while closed; SIZE_MAX open */
  bool tls;              /* https: the gate is used */
  struct sl_soon opener; /* opens the gate, on the loop's tick */
  bool opening;          /* the opener is queued */
  bool idle;             /* on the idle list: nothing holds it */
  size_t tasks;          /* tasks that took it */
  size_t handles;        /* easy handles given its share */
  size_t conns;          /* connections open (the loop's sockets) */
  size_t running;        /* transfers in curl */
  struct sl_origin *prev, *next; /* the idle list: nothing holds it */
  size_t keylen;
  char key[]; /* "http://host:port" or "https://host:port" */
};

struct sl_origins {
  struct sl_htable table;
  struct sl_sched *sched;
  CURLSH *plain;                     /* of easy handles on no origin yet */
  struct sl_origin *idle, *idle_end; /* oldest first */
  struct sl_origin *last;            /* the one found last */
  size_t nidle, max_idle;
  bool http1_only; /* https is HTTP/1.1 too (sl_options.http_version) */
  void (*gate_passed)(struct sl_sem_waiter *first, struct sl_origin *o);
};

/* An empty table; gate_passed runs for the waiters a gate admits.  0, or
   -1 when out of memory. */
int sl__origins_init(struct sl_origins *os, struct sl_sched *sched,
                     size_t max_idle, bool http1_only,
                     void (*gate_passed)(struct sl_sem_waiter *first,
                                         struct sl_origin *o));
/* Every origin must be unheld (no task, handle or connection). */
void sl__origins_free(struct sl_origins *os);

/* The origin of a URL (tls: https) on host (lower case) and port, with
   one more task; NULL when out of memory. */
struct sl_origin *sl__origin_take(struct sl_origins *os, bool tls,
                                  const char *host, unsigned port);

/* A task lets go of o. */
void sl__origin_put(struct sl_origin *o);

/* o's gate opens for every waiter, from the next tick: its first
   transfer's response began or the transfer ended.  Callable from inside
   curl's callbacks. */
void sl__origin_open(struct sl_origin *o);

static inline bool sl__origin_gate_open(const struct sl_origin *o)
{
  return o->gate.limit == SIZE_MAX;
}

/* Whether a transfer starting now to o should ask for a fresh
   connection: it is HTTP/1.1, and none of o's open connections can be
   idle. */
bool sl__origin_fresh(const struct sl_origin *o, bool tls);

/* The share an easy handle should have for a transfer to o: its own,
   or NULL (o NULL, no origin) to keep the handle's. */
static inline CURLSH *sl__origin_share(const struct sl_origin *o)
{
  return o ? o->share : NULL;
}

/* An easy handle is given o's share (o NULL: the plain one), and lets go
   of the origin whose share it had (NULL: none). */
void sl__origin_handle_move(struct sl_origins *os, struct sl_origin *from,
                            struct sl_origin *to);

/* The loop's socket hook: a connection to o opened (+1) or closed (-1). */
void sl__origin_conn(struct sl_origin *o, int delta);

/* A transfer to o entered curl (+1) or left it (-1). */
void sl__origin_running(struct sl_origin *o, int delta);

#endif
