/*
 * origin.c - the origins of a context: their table, their lifetime
 * (held by tasks, easy handles and connections; then idle, oldest freed
 * first), their shares (TLS sessions, names) and the opening of their
 * gates.  See
 * origin.h; admit.c keeps the gates' waiters, transfer.c gives the shares
 * to the easy handles and asks for fresh connections.
 *
 * Every easy handle has a share from its first transfer on (the plain
 * one until it first goes to an origin): libcurl 7.88 gives a
 * handle without one a session cache of its own at its first transfer,
 * and loses it (a leak) when the handle is given a share afterwards.
 */
#include "fetcher/origin.h"

#include "base/container_of.h"
#include "base/list.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A share handle for TLS sessions, and with dns for the names curl is
   given (CURLOPT_RESOLVE); NULL when out of memory. */
static CURLSH *origin_share(bool dns)
{
  CURLSH *sh = curl_share_init();
  if(sh &&
     (curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) ||
      (dns && curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS)))) {
    curl_share_cleanup(sh);
    return NULL;
  }
  return sh;
}

static void opened(struct sl_soon *s)
{
  struct sl_origin *o = sl_container_of(s, struct sl_origin, opener);
  o->opening = false;
  o->table->gate_passed(sl_sem_set_limit(&o->gate, SIZE_MAX), o);
}

int sl__origins_init(struct sl_origins *os, struct sl_sched *sched,
                     size_t max_idle, bool http1_only,
                     void (*gate_passed)(struct sl_sem_waiter *first,
                                         struct sl_origin *o))
{
  memset(os, 0, sizeof(*os));
  sl_htable_init(&os->table, 0, NULL);
  os->sched = sched;
  os->max_idle = max_idle;
  os->http1_only = http1_only;
  os->gate_passed = gate_passed;
  os->plain = origin_share(false);
  return os->plain ? 0 : -1;
}

static bool held(const struct sl_origin *o)
{
  return o->tasks || o->handles || o->conns;
}

/* o is held again: off the idle list. */
static void wake(struct sl_origin *o)
{
  struct sl_origins *os = o->table;
  if(!o->idle)
    return;
  o->idle = false;
  SL_LIST_REMOVE(os->idle, os->idle_end, o, prev, next);
  os->nidle--;
}

static void origin_free(struct sl_origins *os, struct sl_origin *o)
{
  if(os->last == o)
    os->last = NULL;
  sl__soon_cancel(os->sched, &o->opener);
  sl_htable_remove(&os->table, &o->node);
  if(o->share)
    curl_share_cleanup(o->share);
  free(o);
}

void sl__origins_free(struct sl_origins *os)
{
  while(os->idle) {
    struct sl_origin *o = os->idle;
    wake(o);
    origin_free(os, o);
  }
  sl_htable_free(&os->table, NULL, NULL);
  if(os->plain)
    curl_share_cleanup(os->plain);
  os->plain = NULL;
}

/* Nothing holds o any more: to the idle list, whose oldest go beyond
   max_idle. */
static void rest(struct sl_origin *o)
{
  struct sl_origins *os = o->table;
  if(held(o))
    return;
  o->idle = true;
  SL_LIST_APPEND(os->idle, os->idle_end, o, prev, next);
  if(++os->nidle <= os->max_idle)
    return;
  o = os->idle;
  wake(o);
  origin_free(os, o);
}

static struct sl_origin *origin_new(struct sl_origins *os, const char *key,
                                    size_t n, uint64_t hash, bool tls)
{
  struct sl_origin *o = calloc(1, sizeof(*o) + n + 1);
  if(!o)
    return NULL;
  memcpy(o->key, key, n + 1);
  o->keylen = n;
  o->table = os;
  o->node.key = o->key;
  o->node.keylen = n;
  o->node.hash = hash;
  sl_sem_init(&o->gate, 1);
  sl_soon_init(&o->opener, opened);
  o->tls = tls;
  if(!(o->share = origin_share(true)) ||
     sl_htable_insert(&os->table, &o->node)) {
    if(o->share)
      curl_share_cleanup(o->share);
    free(o);
    return NULL;
  }
  return o;
}

/* "scheme://host:port" into key (room for KEY_MAX); its length, 0 when
   it does not fit. */
#define KEY_MAX 300
static size_t make_key(char *key, bool tls, const char *host, unsigned port)
{
  const char *scheme = tls ? "https://" : "http://";
  size_t ns = strlen(scheme), nh = strlen(host), n;
  char digits[12];
  size_t nd = 0;
  do
    digits[nd++] = (char)('0' + port % 10);
  while((port /= 10) && nd < sizeof(digits));
  n = ns + nh + 1 + nd;
  if(n >= KEY_MAX)
    return 0;
  memcpy(key, scheme, ns);
  memcpy(key + ns, host, nh);
  key[ns + nh] = ':';
  for(size_t i = 0; i < nd; i++)
    key[ns + nh + 1 + i] = digits[nd - 1 - i];
  key[n] = '\0';
  return n;
}

/* The origin of key, made when there is none; NULL when out of memory.
   The last one found is looked at first: a run of URLs on one origin
   spares the hash. */
static struct sl_origin *find(struct sl_origins *os, const char *key, size_t n,
                              bool tls)
{
  struct sl_origin *o = os->last;
  struct sl_hnode *node;
  uint64_t hash;
  if(o && o->keylen == n && !memcmp(o->key, key, n))
    return o;
  hash = sl_htable_hash(&os->table, key, n);
  node = sl_htable_find(&os->table, key, n, hash);
  o = node ? sl_container_of(node, struct sl_origin, node)
           : origin_new(os, key, n, hash, tls);
  if(o)
    os->last = o;
  return o;
}

struct sl_origin *sl__origin_take(struct sl_origins *os, bool tls,
                                  const char *host, unsigned port)
{
  char key[KEY_MAX];
  size_t n = make_key(key, tls, host, port);
  struct sl_origin *o = n ? find(os, key, n, tls) : NULL;
  if(!o)
    return NULL;
  wake(o);
  o->tasks++;
  return o;
}

void sl__origin_put(struct sl_origin *o)
{
  if(--o->tasks)
    return;
  /* the next burst checks anew that a session is there to resume */
  sl__soon_cancel(o->table->sched, &o->opener);
  o->opening = false;
  sl_sem_set_limit(&o->gate, 1); /* admits nobody: nobody waits */
  rest(o);
}

void sl__origin_open(struct sl_origin *o)
{
  if(o->opening || sl__origin_gate_open(o))
    return;
  o->opening = true;
  sl__call_soon(o->table->sched, &o->opener);
}

bool sl__origin_fresh(const struct sl_origin *o, bool tls)
{
  return (!tls || o->table->http1_only) && o->conns <= o->running;
}

void sl__origin_handle_move(struct sl_origins *os, struct sl_origin *from,
                            struct sl_origin *to)
{
  (void)os;
  if(to) {
    wake(to);
    to->handles++;
  }
  if(from) {
    from->handles--;
    rest(from);
  }
}

void sl__origin_conn(struct sl_origin *o, int delta)
{
  if(delta > 0) {
    wake(o);
    o->conns++;
    return;
  }
  o->conns--;
  rest(o);
}

void sl__origin_running(struct sl_origin *o, int delta)
{
  o->running += (size_t)(ptrdiff_t)delta;
}
