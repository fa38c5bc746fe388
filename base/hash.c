/*
 * hash.c - SipHash-2-4 and the chained table.  See hash.h.
 *
 * sl_siphash() follows the reference implementation by Aumasson and
 * Bernstein (https://github.com/veorq/SipHash), checked against its test
 * vectors in base/test_hash.c.
 */
#include "base/hash.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define MIN_SLOTS 16

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND                                                              \
  do {                                                                        \
    v0 += v1;                                                                 \
    v1 = ROTL(v1, 13);                                                        \
    v1 ^= v0;                                                                 \
    v0 = ROTL(v0, 32);                                                        \
    v2 += v3;                                                                 \
    v3 = ROTL(v3, 16);                                                        \
    v3 ^= v2;                                                                 \
    v0 += v3;                                                                 \
    v3 = ROTL(v3, 21);                                                        \
    v3 ^= v0;                                                                 \
    v2 += v1;                                                                 \
    v1 = ROTL(v1, 17);                                                        \
    v1 ^= v2;                                                                 \
    v2 = ROTL(v2, 32);                                                        \
  } while(0)

static uint64_t load_le64(const unsigned char *p)
{
  uint64_t v = 0;
  for(int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

uint64_t sl_siphash(uint64_t k0, uint64_t k1, const void *data, size_t n)
{
  const unsigned char *p = data, *end = p + (n & ~(size_t)7);
  uint64_t v0 = UINT64_C(0x736f6d6570736575) ^ k0;
  uint64_t v1 = UINT64_C(0x646f72616e646f6d) ^ k1;
  uint64_t v2 = UINT64_C(0x6c7967656e657261) ^ k0;
  uint64_t v3 = UINT64_C(0x7465646279746573) ^ k1;
  uint64_t b = (uint64_t)n << 56, m;
  for(; p != end; p += 8) {
    m = load_le64(p);
    v3 ^= m;
    SIPROUND;
    SIPROUND;
    v0 ^= m;
  }
  for(size_t i = 0; i < (n & 7); i++)
    b |= (uint64_t)p[i] << (8 * i);
  v3 ^= b;
  SIPROUND;
  SIPROUND;
  v0 ^= b;
  v2 ^= 0xff;
  SIPROUND;
  SIPROUND;
  SIPROUND;
  SIPROUND;
  return v0 ^ v1 ^ v2 ^ v3;
}

/* splitmix64's step: spreads a seed over both halves of the key. */
static uint64_t mix(uint64_t *s)
{
  uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

uint64_t sl_hash_random_seed(void)
{
  uint64_t s = 0;
  struct timespec ts;
  if(getrandom(&s, sizeof(s), GRND_NONBLOCK) == (ssize_t)sizeof(s) && s)
    return s;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
      (uint64_t)(uintptr_t)&s ^ ((uint64_t)getpid() << 16);
  return mix(&s) | 1;
}

void sl_htable_init(struct sl_htable *t, uint64_t seed,
                    const struct sl_alloc *alloc)
{
  memset(t, 0, sizeof(*t));
  if(!seed)
    seed = sl_hash_random_seed();
  t->k0 = mix(&seed);
  t->k1 = mix(&seed);
  t->alloc = alloc;
}

struct sl_hnode *sl_htable_find(const struct sl_htable *t, const void *key,
                                size_t n, uint64_t hash)
{
  struct sl_hnode *x;
  if(!t->nslots)
    return NULL;
  for(x = t->slot[hash & (t->nslots - 1)]; x; x = x->chain)
    if(x->hash == hash && x->keylen == n && !memcmp(x->key, key, n))
      return x;
  return NULL;
}

/* Moves every node to n slots.  0, or -1 (out of memory: unchanged). */
static int resize(struct sl_htable *t, size_t n)
{
  struct sl_hnode **s = sl_alloc_malloc(t->alloc, n * sizeof(*s));
  if(!s)
    return -1;
  memset(s, 0, n * sizeof(*s));
  for(size_t i = 0; i < t->nslots; i++) {
    struct sl_hnode *x = t->slot[i], *next;
    for(; x; x = next) {
      size_t j = (size_t)(x->hash & (n - 1));
      next = x->chain;
      x->chain = s[j];
      s[j] = x;
    }
  }
  sl_alloc_free(t->alloc, t->slot);
  t->slot = s;
  t->nslots = n;
  return 0;
}

int sl_htable_insert(struct sl_htable *t, struct sl_hnode *x)
{
  size_t j;
  if(!t->nslots && resize(t, MIN_SLOTS))
    return -1;
  /* load factor 1; if growing fails the chains just get longer */
  if(t->count >= t->nslots && t->nslots <= SIZE_MAX / 2 / sizeof(x))
    (void)resize(t, t->nslots * 2);
  j = (size_t)(x->hash & (t->nslots - 1));
  x->chain = t->slot[j];
  t->slot[j] = x;
  t->count++;
  return 0;
}

/* Gives memory back as the table empties; failure keeps the old size. */
static void shrink(struct sl_htable *t)
{
  while(t->nslots > MIN_SLOTS && t->count < t->nslots / 4)
    if(resize(t, t->nslots / 2))
      break;
}

void sl_htable_remove(struct sl_htable *t, struct sl_hnode *x)
{
  struct sl_hnode **pp = &t->slot[x->hash & (t->nslots - 1)];
  while(*pp != x)
    pp = &(*pp)->chain;
  *pp = x->chain;
  x->chain = NULL;
  t->count--;
  shrink(t);
}

void sl_htable_sweep(struct sl_htable *t,
                     bool (*drop)(struct sl_hnode *x, void *ud), void *ud)
{
  for(size_t i = 0; i < t->nslots; i++) {
    struct sl_hnode **pp = &t->slot[i], *x;
    while((x = *pp)) {
      struct sl_hnode *next = x->chain;
      if(drop(x, ud)) {
        *pp = next;
        t->count--;
      } else
        pp = &x->chain;
    }
  }
  shrink(t);
}

void sl_htable_free(struct sl_htable *t,
                    void (*drop)(struct sl_hnode *x, void *ud), void *ud)
{
  for(size_t i = 0; i < t->nslots; i++) {
    struct sl_hnode *x = t->slot[i], *next;
    for(; x; x = next) {
      next = x->chain;
      if(drop)
        drop(x, ud);
    }
  }
  sl_alloc_free(t->alloc, t->slot);
  t->slot = NULL;
  t->nslots = t->count = 0;
}
