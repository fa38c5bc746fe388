/*
 * hash.h - the one hash table: chained, intrusive, keyed by byte strings
 * and seeded.  Keys come from the network and from input files (host
 * names, Host headers, DNS names), so the hash is SipHash-2-4 under a
 * per-table random key: a crafted list of names cannot pile into one
 * chain.  Used by the per-host table (limits/hosts.c), the name cache
 * (fetcher/resolve.c) and the fixture's maps (fixtures/strmap.c).
 *
 * The owner embeds a node, points it at its own copy of the key and
 * inserts it; the table holds only the slot array.  The table doubles
 * above one node per slot and halves below a quarter; when that
 * allocation fails the chains just get longer, so insert and remove
 * never fail.
 */
#ifndef SL_BASE_HASH_H
#define SL_BASE_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/alloc.h"

/* SipHash-2-4 of data[0..n) under the 128-bit key (k0, k1). */
uint64_t sl_siphash(uint64_t k0, uint64_t k1, const void *data, size_t n);

/* A seed from the system's random source (or, failing that, the clock
   and the address space layout). */
uint64_t sl_hash_random_seed(void);

struct sl_hnode {
  struct sl_hnode *chain; /* next in the slot */
  uint64_t hash;
  const char *key; /* the owner's bytes, stable while in the table */
  size_t keylen;
};

struct sl_htable {
  struct sl_hnode **slot; /* NULL until the first insert */
  size_t nslots;          /* a power of two, or 0 */
  size_t count;
  uint64_t k0, k1;
  const struct sl_alloc *alloc; /* NULL: malloc and free */
};

/* An empty table whose key derives from seed (0: a random one).
   Allocates nothing. */
void sl_htable_init(struct sl_htable *t, uint64_t seed,
                    const struct sl_alloc *alloc);

/* The hash of a key under t's key. */
static inline uint64_t sl_htable_hash(const struct sl_htable *t,
                                      const void *key, size_t n)
{
  return sl_siphash(t->k0, t->k1, key, n);
}

/* The node with this key (hash from sl_htable_hash), or NULL. */
struct sl_hnode *sl_htable_find(const struct sl_htable *t, const void *key,
                                size_t n, uint64_t hash);

/* Adds x, whose key, keylen and hash are set and which is not in the
   table (the caller looked first).  -1 only when the first slot array
   cannot be allocated. */
int sl_htable_insert(struct sl_htable *t, struct sl_hnode *x);

/* Takes x, which is in the table, out. */
void sl_htable_remove(struct sl_htable *t, struct sl_hnode *x);

/* Calls drop(x, ud) on every node; a node it says true for is taken out
   (drop may free it: the table no longer looks at it).  Then shrinks. */
void sl_htable_sweep(struct sl_htable *t,
                     bool (*drop)(struct sl_hnode *x, void *ud), void *ud);

/* Frees the slots after giving every node to drop (which may free it);
   the table is empty and usable again.  drop may be NULL. */
void sl_htable_free(struct sl_htable *t,
                    void (*drop)(struct sl_hnode *x, void *ud), void *ud);

#endif
