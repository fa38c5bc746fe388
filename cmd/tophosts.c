/*
 * tophosts.c - the hosts with the most failures, in bounded memory: the
 * Space-Saving algorithm (Metwally, Agrawal, El Abbadi, 2005) over at
 * most TOPHOSTS_CAP counters on the seeded hash table of base/hash.h.
 * While no more hosts than that have failed, every count is exact.  A
 * new host after that takes the place of the one counted least, and
 * starts from its count plus one (remembering that count as `over`): a
 * count never under-states, over-states by at most `over`, and any host
 * with more than N / TOPHOSTS_CAP of N failures is sure to be kept.  So a
 * crawl of a million hosts still names its worst ones, in a few tens of
 * kilobytes.  Finding the least counted is a scan of the counters (O(CAP)
 * per failure of a new host once full): cheap next to a failed request.
 */
#include "tophosts.h"

#include "base/container_of.h"

#include <stdlib.h>
#include <string.h>

void tophosts_init(struct tophosts *t)
{
  memset(t, 0, sizeof(*t));
  sl_htable_init(&t->table, 0, NULL);
}

void tophosts_free(struct tophosts *t)
{
  sl_htable_free(&t->table, NULL, NULL);
  for(size_t i = 0; i < t->n; i++) {
    free(t->v[i]);
  }
  t->n = 0;
}

bool tophosts_host_of(const char *url, size_t len, size_t *start, size_t *hlen)
{
  const char *sep = len >= 3 ? memmem(url, len, "://", 3) : NULL;
  size_t from, end, at;

  if(!sep || sep == url) {
    return false;
  }
  from = (size_t)(sep - url) + 3;
  end = from;
  while(end < len && !strchr("/?#", url[end])) {
    end++;
  }
  for(at = end; at > from && url[at - 1] != '@'; at--) {
  }
  if(at > from) {
    from = at; /* past "user:password@" */
  }
  if(end == from) {
    return false;
  }
  *start = from;
  *hlen = end - from;
  return true;
}

/* The counter with the least count (the one Space-Saving replaces). */
static size_t least(const struct tophosts *t)
{
  size_t m = 0;

  for(size_t i = 1; i < t->n; i++) {
    if(t->v[i]->count < t->v[m]->count) {
      m = i;
    }
  }
  return m;
}

/* A counter for key (hash h), in slot i (appended when i == t->n). */
static void place(struct tophosts *t, size_t i, const char *key, size_t len,
                  uint64_t h, uint64_t base)
{
  struct tophost *e = malloc(sizeof(*e) + len + 1);

  if(!e) {
    return;
  }
  for(size_t k = 0; k < len; k++) {
    char c = key[k];
    e->key[k] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
  }
  e->key[len] = '\0';
  e->keylen = len;
  e->count = base + 1;
  e->over = base;
  e->node.key = e->key;
  e->node.keylen = len;
  e->node.hash = h;
  if(sl_htable_insert(&t->table, &e->node)) {
    free(e);
    return;
  }
  if(i == t->n) {
    t->n++;
  }
  t->v[i] = e;
}

void tophosts_add(struct tophosts *t, const char *url, size_t len)
{
  char key[512];
  size_t start, hlen, m;
  struct sl_hnode *x;
  uint64_t h, base;

  if(!tophosts_host_of(url, len, &start, &hlen) || hlen >= sizeof(key)) {
    return;
  }
  for(size_t k = 0; k < hlen; k++) {
    char c = url[start + k];
    key[k] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
  }
  h = sl_htable_hash(&t->table, key, hlen);
  x = sl_htable_find(&t->table, key, hlen, h);
  if(x) {
    sl_container_of(x, struct tophost, node)->count++;
    return;
  }
  if(t->n < TOPHOSTS_CAP) {
    place(t, t->n, key, hlen, h, 0);
    return;
  }
  m = least(t);
  base = t->v[m]->count;
  sl_htable_remove(&t->table, &t->v[m]->node);
  free(t->v[m]);
  t->v[m] = NULL;
  t->estimated = true;
  place(t, m, key, hlen, h, base);
  if(!t->v[m]) { /* out of memory: the slot goes */
    t->v[m] = t->v[--t->n];
  }
}

static int cmp(const void *a, const void *b)
{
  const struct tophost *x = *(const struct tophost *const *)a;
  const struct tophost *y = *(const struct tophost *const *)b;

  if(x->count != y->count) {
    return x->count > y->count ? -1 : 1;
  }
  return strcmp(x->key, y->key);
}

size_t tophosts_top(const struct tophosts *t, const struct tophost **out,
                    size_t k)
{
  const struct tophost *all[TOPHOSTS_CAP];

  memcpy(all, t->v, t->n * sizeof(all[0]));
  qsort(all, t->n, sizeof(all[0]), cmp);
  if(k > t->n) {
    k = t->n;
  }
  memcpy(out, all, k * sizeof(out[0]));
  return k;
}
