/*
 * hosts.c - per-host table: entries on the seeded hash table of
 * base/hash.h (it grows and shrinks with the number of live entries),
 * plus a min-heap (base/heap.h) of idle entries keyed by the time they
 * become forgettable.  See hosts.h.
 */
#include "limits/hosts.h"

#include "base/container_of.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define MIN_HEAP 16
#define NO_PAUSE INT64_MIN

/* --- clock --------------------------------------------------------- */

/* Brings h's pause to `now`: an ended pause is dropped, and a backward
   jump moves a running pause back with the clock. */
static void sync_pause(struct sl_host *h, int64_t now)
{
  if(h->pause_until != NO_PAUSE) {
    if(now < h->last)
      h->pause_until -= h->last - now;
    if(h->pause_until <= now)
      h->pause_until = NO_PAUSE;
  }
  h->last = now;
}

void sl_host_pause_until(struct sl_host *h, int64_t until, int64_t now)
{
  sync_pause(h, now);
  if(until > now && until > h->pause_until)
    h->pause_until = until;
}

bool sl_host_paused(struct sl_host *h, int64_t now)
{
  sync_pause(h, now);
  return h->pause_until != NO_PAUSE;
}

/* The later of t (a time of h's bucket, or now) and the end of h's
   pause. */
static int64_t past_pause(struct sl_host *h, int64_t t, int64_t now)
{
  if(sl_host_paused(h, now) && h->pause_until > t)
    t = h->pause_until;
  return t;
}

int64_t sl_host_ready_at(struct sl_host *h, int64_t now)
{
  return past_pause(
      h, h->has_bucket ? sl_bucket_next_at(&h->bucket, now) : now, now);
}

bool sl_host_take(struct sl_host *h, int64_t now)
{
  if(sl_host_paused(h, now))
    return false;
  return !h->has_bucket || sl_bucket_take(&h->bucket, now);
}

/* The time from which h, unused, can be freed: its pause is over and its
   buckets are full.  <= now: at once. */
static int64_t forgettable_at(struct sl_host *h, int64_t now)
{
  int64_t t = h->has_bucket ? sl_bucket_full_at(&h->bucket, now) : now;
  if(h->has_bw) {
    int64_t full = sl_byterate_full_at(&h->bw, now);
    if(full > t)
      t = full;
  }
  return past_pause(h, t, now);
}

/* --- idle heap ----------------------------------------------------- */

#define HOST_OF(n) sl_container_of(n, struct sl_host, idle)

static bool idle_earlier(const struct sl_heap_node *a,
                         const struct sl_heap_node *b)
{
  return HOST_OF(a)->idle_until < HOST_OF(b)->idle_until;
}

/* --- the table ----------------------------------------------------- */

static void unlink_free(struct sl_hosts *t, struct sl_host *h)
{
  sl_htable_remove(&t->table, &h->node);
  sl_heap_remove(&t->idle, &h->idle);
  sl_alloc_free(&t->cfg.alloc, h);
  /* give memory back as the table empties; failure keeps the old size */
  sl_heap_shrink(&t->idle, MIN_HEAP);
}

static bool forgettable(struct sl_host *h, int64_t now)
{
  return !h->users && !h->pinned && !h->sem.held && !h->sem.waiting &&
         forgettable_at(h, now) <= now;
}

void sl_hosts_sweep(struct sl_hosts *t, int64_t now)
{
  struct sl_heap_node *n;
  while((n = sl_heap_top(&t->idle)) && HOST_OF(n)->idle_until <= now) {
    struct sl_host *h = HOST_OF(n);
    /* check again: a backward clock jump may have moved the time */
    h->idle_until = forgettable_at(h, now);
    if(h->pinned) /* kept for its limits: out of the heap, not freed */
      sl_heap_remove(&t->idle, n);
    else if(h->idle_until <= now)
      unlink_free(t, h);
    else
      sl_heap_update(&t->idle, n);
  }
}

void sl_hosts_config_init(struct sl_hosts_config *c)
{
  memset(c, 0, sizeof(*c));
  c->max_conns = SL_HOSTS_DEFAULT_CONNS;
  c->burst = 1;
}

bool sl_hosts_init(struct sl_hosts *t, const struct sl_hosts_config *c)
{
  memset(t, 0, sizeof(*t));
  t->idle.before = idle_earlier;
  if(c)
    t->cfg = *c;
  else
    sl_hosts_config_init(&t->cfg);
  t->idle.alloc = &t->cfg.alloc;
  if(!t->cfg.max_conns)
    return false;
  if(t->cfg.rate.count) {
    struct sl_bucket probe;
    if(!sl_bucket_init(&probe, &t->cfg.rate, t->cfg.burst, 0))
      return false;
  }
  if(t->cfg.bandwidth) {
    struct sl_byterate probe;
    if(!sl_byterate_init(&probe, t->cfg.bandwidth, 0, 0))
      return false;
  }
  /* a zero seed would make the table pick a random one itself */
  sl_htable_init(&t->table, t->cfg.seed ? t->cfg.seed : 1, &t->cfg.alloc);
  return sl_heap_reserve(&t->idle, MIN_HEAP) == 0;
}

static void free_host(struct sl_hnode *x, void *ud)
{
  struct sl_hosts *t = ud;
  sl_alloc_free(&t->cfg.alloc, sl_container_of(x, struct sl_host, node));
}

void sl_hosts_free(struct sl_hosts *t)
{
  sl_htable_free(&t->table, free_host, t);
  sl_heap_free(&t->idle);
}

/* Writes "host:port", host lowered, into buf; returns the length. */
static size_t make_key(char *buf, const char *host, size_t hlen, unsigned port)
{
  char digits[8];
  size_t i, n = 0;
  for(i = 0; i < hlen; i++) {
    char ch = host[i];
    buf[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
  }
  buf[hlen] = ':';
  do {
    digits[n++] = (char)('0' + port % 10);
    port /= 10;
  } while(port);
  for(i = 0; i < n; i++)
    buf[hlen + 1 + i] = digits[n - 1 - i];
  buf[hlen + 1 + n] = '\0';
  return hlen + 1 + n;
}

static struct sl_host *create(struct sl_hosts *t, const char *key,
                              size_t keylen, uint64_t hash, int64_t now)
{
  struct sl_host *h;
  /* keep room in the heap for every entry, so put never allocates */
  if(sl_heap_reserve(&t->idle, t->table.count + 1))
    return NULL;
  h = sl_alloc_malloc(&t->cfg.alloc, sizeof(*h) + keylen + 1);
  if(!h)
    return NULL;
  memset(h, 0, sizeof(*h));
  sl_sem_init(&h->sem, t->cfg.max_conns);
  if(t->cfg.rate.count) {
    /* validated in sl_hosts_init */
    h->has_bucket =
        sl_bucket_init(&h->bucket, &t->cfg.rate, t->cfg.burst, now);
  }
  if(t->cfg.bandwidth) /* validated in sl_hosts_init too */
    h->has_bw = sl_byterate_init(&h->bw, t->cfg.bandwidth, 0, now);
  h->pause_until = NO_PAUSE;
  sl_heap_node_init(&h->idle);
  h->last = now;
  memcpy(h->key, key, keylen + 1);
  h->node.key = h->key;
  h->node.keylen = keylen;
  h->node.hash = hash;
  if(sl_htable_insert(&t->table, &h->node)) {
    sl_alloc_free(&t->cfg.alloc, h);
    return NULL;
  }
  return h;
}

struct sl_host *sl_hosts_get(struct sl_hosts *t, const char *host,
                             unsigned port, int64_t now)
{
  char key[SL_HOSTS_MAX_HOST + 8];
  size_t hlen;
  if(!host || port > 65535)
    return NULL;
  hlen = strlen(host);
  if(!hlen || hlen > SL_HOSTS_MAX_HOST)
    return NULL;
  return sl_hosts_get_key(t, key, make_key(key, host, hlen, port), now);
}

/* The entry of key (lower case), found or made; NULL when out of
   memory or for a bad key. */
static struct sl_host *find_or_create(struct sl_hosts *t, const char *key,
                                      size_t keylen, int64_t now)
{
  uint64_t hash;
  struct sl_hnode *x;
  struct sl_host *h;
  if(!keylen || keylen > SL_HOSTS_MAX_HOST + 7)
    return NULL;
  hash = sl_htable_hash(&t->table, key, keylen);
  sl_hosts_sweep(t, now);
  x = sl_htable_find(&t->table, key, keylen, hash);
  if(!x)
    return create(t, key, keylen, hash, now);
  h = sl_container_of(x, struct sl_host, node);
  sl_heap_remove(&t->idle, &h->idle);
  return h;
}

struct sl_host *sl_hosts_get_key(struct sl_hosts *t, const char *key,
                                 size_t keylen, int64_t now)
{
  struct sl_host *h = find_or_create(t, key, keylen, now);
  if(h)
    h->users++;
  return h;
}

/* h has no user left: freed when nothing is owed, else idle until it
   is forgettable (room was reserved when h was created). */
static void let_go(struct sl_hosts *t, struct sl_host *h, int64_t now)
{
  assert(!h->sem.held && !h->sem.waiting);
  if(forgettable(h, now))
    unlink_free(t, h);
  else if(!h->pinned && !sl_heap_holds(&h->idle)) {
    h->idle_until = forgettable_at(h, now);
    assert(t->idle.n < t->idle.cap);
    sl_heap_push(&t->idle, &h->idle);
  }
}

struct sl_host *sl_hosts_pin(struct sl_hosts *t, const char *key,
                             size_t keylen, int64_t now)
{
  struct sl_host *h = find_or_create(t, key, keylen, now);
  if(h)
    h->pinned = true;
  return h;
}

void sl_hosts_unpin(struct sl_hosts *t, struct sl_host *h, int64_t now)
{
  h->pinned = false;
  if(!h->users)
    let_go(t, h, now);
}

struct sl_sem_waiter *sl_host_set_limits(struct sl_hosts *t, struct sl_host *h,
                                         size_t max_conns,
                                         const struct sl_rate *rate,
                                         unsigned burst, int64_t now)
{
  if(!rate) /* the table's */
    rate = t->cfg.rate.count ? &t->cfg.rate : NULL;
  h->has_bucket = rate && sl_bucket_init(&h->bucket, rate,
                                         burst ? burst : t->cfg.burst, now);
  return sl_sem_set_limit(&h->sem, max_conns ? max_conns : t->cfg.max_conns);
}

void sl_hosts_put(struct sl_hosts *t, struct sl_host *h, int64_t now)
{
  assert(h->users > 0);
  h->users--;
  if(!h->users)
    let_go(t, h, now);
  sl_hosts_sweep(t, now);
}

const char *sl_host_key(const struct sl_host *h)
{
  return h->key;
}

struct sl_host *sl_hosts_find(struct sl_hosts *t, const char *key)
{
  char low[SL_HOSTS_MAX_HOST + 8];
  size_t n = strlen(key);
  struct sl_hnode *x;
  if(n >= sizeof(low))
    return NULL;
  for(size_t i = 0; i <= n; i++)
    low[i] = (key[i] >= 'A' && key[i] <= 'Z') ? (char)(key[i] + 32) : key[i];
  x = sl_htable_find(&t->table, low, n, sl_htable_hash(&t->table, low, n));
  return x ? sl_container_of(x, struct sl_host, node) : NULL;
}
