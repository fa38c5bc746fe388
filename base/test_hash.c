/*
 * test_hash.c - base/hash: SipHash-2-4 against the reference vectors, the
 * seed changes every hash, and the table finds, grows, shrinks, sweeps
 * and survives allocation failures without losing a node.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/container_of.h"
#include "base/hash.h"

static void test_siphash_vectors(void **state)
{
  /* key 00..0f, message 00..n-1 (the reference's vectors_sip64) */
  static const struct {
    size_t n;
    uint64_t h;
  } v[] = {
      {0, UINT64_C(0x726fdb47dd0e0e31)}, {1, UINT64_C(0x74f839c593dc67fd)},
      {2, UINT64_C(0x0d6c8009d9a94f5a)}, {3, UINT64_C(0x85676696d7fb7e2d)},
      {4, UINT64_C(0xcf2794e0277187b7)}, {8, UINT64_C(0x93f5f5799a932462)},
      {15, UINT64_C(0xa129ca6149be45e5)}};
  unsigned char m[16];
  uint64_t k0 = UINT64_C(0x0706050403020100);
  uint64_t k1 = UINT64_C(0x0f0e0d0c0b0a0908);
  (void)state;
  for(size_t i = 0; i < sizeof(m); i++)
    m[i] = (unsigned char)i;
  for(size_t i = 0; i < SL_COUNTOF(v); i++)
    assert_true(sl_siphash(k0, k1, m, v[i].n) == v[i].h);
}

static void test_seeds_differ(void **state)
{
  struct sl_htable a, b, c;
  (void)state;
  sl_htable_init(&a, 1, NULL);
  sl_htable_init(&b, 2, NULL);
  sl_htable_init(&c, 1, NULL);
  assert_true(sl_htable_hash(&a, "a.test", 6) !=
              sl_htable_hash(&b, "a.test", 6));
  assert_true(sl_htable_hash(&a, "a.test", 6) ==
              sl_htable_hash(&c, "a.test", 6));
  assert_true(sl_hash_random_seed() != 0);
}

struct item {
  struct sl_hnode node;
  char key[16];
  int freed;
};

#define N 1000
static struct item items[N];

static void add(struct sl_htable *t, struct item *it, int i)
{
  snprintf(it->key, sizeof(it->key), "host%d", i);
  it->node.key = it->key;
  it->node.keylen = strlen(it->key);
  it->node.hash = sl_htable_hash(t, it->key, it->node.keylen);
  it->freed = 0;
  assert_int_equal(sl_htable_insert(t, &it->node), 0);
}

static struct item *find(struct sl_htable *t, const char *key)
{
  size_t n = strlen(key);
  struct sl_hnode *x = sl_htable_find(t, key, n, sl_htable_hash(t, key, n));
  return x ? sl_container_of(x, struct item, node) : NULL;
}

static bool drop_odd(struct sl_hnode *x, void *ud)
{
  struct item *it = sl_container_of(x, struct item, node);
  (void)ud;
  return (it - items) % 2 == 1;
}

static void count_free(struct sl_hnode *x, void *ud)
{
  (*(int *)ud)++;
  sl_container_of(x, struct item, node)->freed = 1;
}

static void test_table(void **state)
{
  struct sl_htable t;
  int freed = 0;
  (void)state;
  sl_htable_init(&t, 0, NULL);
  assert_null(find(&t, "host1")); /* empty, no slots yet */
  for(int i = 0; i < N; i++)
    add(&t, &items[i], i);
  assert_int_equal(t.count, N);
  assert_true(t.nslots >= N); /* grew: load factor 1 */
  for(int i = 0; i < N; i++) {
    char k[16];
    snprintf(k, sizeof(k), "host%d", i);
    assert_ptr_equal(find(&t, k), &items[i]);
  }
  assert_null(find(&t, "host"));
  assert_null(find(&t, "host1000"));
  sl_htable_remove(&t, &items[5].node);
  assert_null(find(&t, "host5"));
  add(&t, &items[5], 5);
  sl_htable_sweep(&t, drop_odd, NULL);
  assert_int_equal(t.count, N / 2);
  assert_ptr_equal(find(&t, "host10"), &items[10]);
  assert_null(find(&t, "host11"));
  for(int i = 0; i < N; i += 2)
    if(i > 10)
      sl_htable_remove(&t, &items[i].node);
  assert_true(t.nslots <= 64); /* shrank with the count */
  assert_ptr_equal(find(&t, "host8"), &items[8]);
  sl_htable_free(&t, count_free, &freed);
  assert_int_equal(freed, 6);
  assert_int_equal(items[0].freed, 1);
  assert_null(t.slot);
  add(&t, &items[0], 0); /* usable again */
  sl_htable_free(&t, NULL, NULL);
}

/* Allocations through cmocka (leaks fail the test); fail_after > 0 makes
   that allocation from now fail. */
static long fail_after;

static void *t_malloc(size_t n)
{
  if(fail_after > 0 && --fail_after == 0)
    return NULL;
  return test_malloc(n);
}

static void t_free(void *p)
{
  test_free(p);
}

static void test_allocation_failures(void **state)
{
  static const struct sl_alloc a = {t_malloc, t_free};
  struct sl_htable t;
  (void)state;
  sl_htable_init(&t, 7, &a);
  fail_after = 1; /* the first slot array */
  items[0].node.key = "x";
  items[0].node.keylen = 1;
  items[0].node.hash = sl_htable_hash(&t, "x", 1);
  assert_int_equal(sl_htable_insert(&t, &items[0].node), -1);
  assert_int_equal(t.count, 0);
  for(int i = 0; i < 16; i++)
    add(&t, &items[i], i);
  fail_after = 1; /* growing fails: longer chains, nothing lost */
  add(&t, &items[16], 16);
  assert_int_equal(t.nslots, 16);
  for(int i = 17; i < 40; i++)
    add(&t, &items[i], i);
  assert_true(t.nslots > 16);
  for(int i = 0; i < 40; i++) {
    char k[16];
    snprintf(k, sizeof(k), "host%d", i);
    assert_ptr_equal(find(&t, k), &items[i]);
  }
  fail_after = 1; /* shrinking fails: the old size is kept */
  for(int i = 0; i < 39; i++)
    sl_htable_remove(&t, &items[i].node);
  assert_ptr_equal(find(&t, "host39"), &items[39]);
  sl_htable_free(&t, NULL, NULL);
  fail_after = 0;
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_siphash_vectors),
      cmocka_unit_test(test_seeds_differ),
      cmocka_unit_test(test_table),
      cmocka_unit_test(test_allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
