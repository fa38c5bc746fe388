/*
 * hosts.c - per-host table: a chained hash table that grows and shrinks
 * with the number of live entries, plus a min-heap (limits/heap.c) of idle
 * entries keyed by the time they become forgettable.  See hosts.h.
 */
#include "limits/hosts.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define MIN_SLOTS 16 /* power of 2 */
#define MIN_HEAP  16
#define NO_PAUSE  INT64_MIN

static void *xmalloc(struct sl_hosts *t, size_t n)
{
  return t->cfg.malloc_fn ? t->cfg.malloc_fn(n) : malloc(n);
}

static void xfree(struct sl_hosts *t, void *p)
{
  if(!p)
    return;
  if(t->cfg.free_fn)
    t->cfg.free_fn(p);
  else
    free(p);
}

/* FNV-1a from a seeded basis, then splitmix64's finalizer so that the
   low bits (the slot) depend on every byte. */
static uint64_t hash_key(uint64_t seed, const char *s, size_t n)
{
  uint64_t h = UINT64_C(14695981039346656037) ^ seed;
  size_t i;
  for(i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= UINT64_C(1099511628211);
  }
  h ^= h >> 30;
  h *= UINT64_C(0xbf58476d1ce4e5b9);
  h ^= h >> 27;
  h *= UINT64_C(0x94d049bb133111eb);
  h ^= h >> 31;
  return h;
}

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

int64_t sl_host_ready_at(struct sl_host *h, int64_t now)
{
  int64_t t = now;
  if(h->has_bucket)
    t = sl_bucket_next_at(&h->bucket, now);
  if(sl_host_paused(h, now) && h->pause_until > t)
    t = h->pause_until;
  return t;
}

bool sl_host_take(struct sl_host *h, int64_t now)
{
  if(sl_host_paused(h, now))
    return false;
  return !h->has_bucket || sl_bucket_take(&h->bucket, now);
}

/* The time from which h, unused, can be freed: its pause is over and its
   bucket is full.  <= now: at once. */
static int64_t forgettable_at(struct sl_host *h, int64_t now)
{
  int64_t t = now;
  if(h->has_bucket)
    t = sl_bucket_full_at(&h->bucket, now);
  if(sl_host_paused(h, now) && h->pause_until > t)
    t = h->pause_until;
  return t;
}

/* --- idle heap ----------------------------------------------------- */

#define HOST_OF(n)                                                            \
  ((struct sl_host *)((char *)(n)-offsetof(struct sl_host, idle)))

static bool idle_earlier(const struct sl_heap_node *a,
                         const struct sl_heap_node *b)
{
  return HOST_OF(a)->idle_until < HOST_OF(b)->idle_until;
}

/* Resizes the heap's array to cap (>= its count).  False when out of
   memory; the heap is then unchanged. */
static bool heap_resize(struct sl_hosts *t, size_t cap)
{
  struct sl_heap_node **a;
  if(cap > SIZE_MAX / sizeof(*a))
    return false;
  a = xmalloc(t, cap * sizeof(*a));
  if(!a)
    return false;
  if(t->idle.n)
    memcpy(a, t->idle.v, t->idle.n * sizeof(*a));
  xfree(t, t->idle.v);
  t->idle.v = a;
  t->idle.cap = cap;
  return true;
}

/* --- hash table ---------------------------------------------------- */

static bool slots_resize(struct sl_hosts *t, size_t n)
{
  struct sl_host **s;
  size_t i;
  if(n > SIZE_MAX / sizeof(*s))
    return false;
  s = xmalloc(t, n * sizeof(*s));
  if(!s)
    return false;
  for(i = 0; i < n; i++)
    s[i] = NULL;
  for(i = 0; i < t->nslots; i++) {
    struct sl_host *h = t->slot[i], *next;
    for(; h; h = next) {
      size_t j = (size_t)(h->hash & (n - 1));
      next = h->chain;
      h->chain = s[j];
      s[j] = h;
    }
  }
  xfree(t, t->slot);
  t->slot = s;
  t->nslots = n;
  return true;
}

static void unlink_free(struct sl_hosts *t, struct sl_host *h)
{
  struct sl_host **pp = &t->slot[h->hash & (t->nslots - 1)];
  while(*pp != h)
    pp = &(*pp)->chain;
  *pp = h->chain;
  sl_heap_remove(&t->idle, &h->idle);
  xfree(t, h);
  t->count--;
  /* give memory back as the table empties; failure keeps the old size */
  if(t->nslots > MIN_SLOTS && t->count < t->nslots / 4)
    (void)slots_resize(t, t->nslots / 2);
  if(t->idle.cap > MIN_HEAP && t->count < t->idle.cap / 4)
    (void)heap_resize(t, t->idle.cap / 2);
}

static bool forgettable(struct sl_host *h, int64_t now)
{
  return !h->users && !h->sem.held && !h->sem.waiting &&
         forgettable_at(h, now) <= now;
}

void sl_hosts_sweep(struct sl_hosts *t, int64_t now)
{
  struct sl_heap_node *n;
  while((n = sl_heap_top(&t->idle)) && HOST_OF(n)->idle_until <= now) {
    struct sl_host *h = HOST_OF(n);
    /* check again: a backward clock jump may have moved the time */
    h->idle_until = forgettable_at(h, now);
    if(h->idle_until <= now)
      unlink_free(t, h);
    else
      sl_heap_update(&t->idle, n);
  }
}

/* --- the table ----------------------------------------------------- */

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
  if(!t->cfg.max_conns)
    return false;
  if(t->cfg.rate.count) {
    struct sl_bucket probe;
    if(!sl_bucket_init(&probe, &t->cfg.rate, t->cfg.burst, 0))
      return false;
  }
  if(!slots_resize(t, MIN_SLOTS))
    return false;
  if(!heap_resize(t, MIN_HEAP)) {
    xfree(t, t->slot);
    t->slot = NULL;
    return false;
  }
  return true;
}

void sl_hosts_free(struct sl_hosts *t)
{
  size_t i;
  for(i = 0; i < t->nslots; i++) {
    struct sl_host *h = t->slot[i], *next;
    for(; h; h = next) {
      next = h->chain;
      xfree(t, h);
    }
  }
  xfree(t, t->slot);
  xfree(t, t->idle.v);
  t->slot = NULL;
  t->idle.v = NULL;
  t->nslots = t->count = t->idle.n = t->idle.cap = 0;
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
  size_t j;
  /* keep room in the heap for every entry, so put never allocates */
  if(t->count >= t->idle.cap && !heap_resize(t, t->idle.cap * 2))
    return NULL;
  h = xmalloc(t, sizeof(*h) + keylen + 1);
  if(!h)
    return NULL;
  memset(h, 0, sizeof(*h));
  sl_sem_init(&h->sem, t->cfg.max_conns);
  if(t->cfg.rate.count) {
    /* validated in sl_hosts_init */
    h->has_bucket =
        sl_bucket_init(&h->bucket, &t->cfg.rate, t->cfg.burst, now);
  }
  h->pause_until = NO_PAUSE;
  h->hash = hash;
  sl_heap_node_init(&h->idle);
  h->last = now;
  h->keylen = keylen;
  memcpy(h->key, key, keylen + 1);

  j = (size_t)(hash & (t->nslots - 1));
  h->chain = t->slot[j];
  t->slot[j] = h;
  t->count++;
  /* load factor 1; if growing fails the chains just get longer */
  if(t->count > t->nslots)
    (void)slots_resize(t, t->nslots * 2);
  return h;
}

struct sl_host *sl_hosts_get(struct sl_hosts *t, const char *host,
                             unsigned port, int64_t now)
{
  char key[SL_HOSTS_MAX_HOST + 8];
  size_t hlen, keylen;
  uint64_t hash;
  struct sl_host *h;

  if(!host || port > 65535)
    return NULL;
  hlen = strlen(host);
  if(!hlen || hlen > SL_HOSTS_MAX_HOST)
    return NULL;
  keylen = make_key(key, host, hlen, port);
  hash = hash_key(t->cfg.seed, key, keylen);

  sl_hosts_sweep(t, now);
  for(h = t->slot[hash & (t->nslots - 1)]; h; h = h->chain) {
    if(h->hash == hash && h->keylen == keylen && !memcmp(h->key, key, keylen))
      break;
  }
  if(!h) {
    h = create(t, key, keylen, hash, now);
    if(!h)
      return NULL;
  } else
    sl_heap_remove(&t->idle, &h->idle);
  h->users++;
  return h;
}

void sl_hosts_put(struct sl_hosts *t, struct sl_host *h, int64_t now)
{
  assert(h->users > 0);
  h->users--;
  if(!h->users) {
    assert(!h->sem.held && !h->sem.waiting);
    if(forgettable(h, now))
      unlink_free(t, h);
    else if(!h->sem.held && !h->sem.waiting) {
      h->idle_until = forgettable_at(h, now);
      /* room was reserved when h was created: at most count entries */
      assert(t->idle.n < t->idle.cap);
      sl_heap_push(&t->idle, &h->idle);
    }
  }
  sl_hosts_sweep(t, now);
}

const char *sl_host_key(const struct sl_host *h)
{
  return h->key;
}
