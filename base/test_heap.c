/*
 * test_heap.c - base/heap and base/list: the heap gives nodes back in
 * order through pushes, removes and updates, grows and shrinks its room;
 * the list appends, prepends and removes at either end and the middle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/container_of.h"
#include "base/heap.h"
#include "base/list.h"

struct ent {
  struct sl_heap_node node;
  long key;
};

static bool before(const struct sl_heap_node *a, const struct sl_heap_node *b)
{
  return sl_container_of(a, struct ent, node)->key <
         sl_container_of(b, struct ent, node)->key;
}

static long pop(struct sl_heap *h)
{
  struct sl_heap_node *x = sl_heap_top(h);
  sl_heap_remove(h, x);
  return sl_container_of(x, struct ent, node)->key;
}

static void test_heap_order(void **state)
{
  struct sl_heap h = {.before = before};
  static struct ent e[200];
  long last = -1;
  (void)state;
  for(int i = 0; i < 200; i++) {
    e[i].key = (i * 7919) % 200;
    sl_heap_node_init(&e[i].node);
    assert_int_equal(sl_heap_reserve(&h, h.n + 1), 0);
    sl_heap_push(&h, &e[i].node);
  }
  assert_true(h.cap >= 200);
  sl_heap_remove(&h, &e[3].node);
  assert_false(sl_heap_holds(&e[3].node));
  sl_heap_remove(&h, &e[3].node); /* not in the heap: a no-op */
  e[4].key = -5;
  sl_heap_update(&h, &e[4].node);
  assert_int_equal(pop(&h), -5);
  while(h.n) {
    long k = pop(&h);
    assert_true(k > last);
    last = k;
    if(h.n == 20)
      sl_heap_shrink(&h, 16);
  }
  assert_true(h.cap < 200); /* gave room back */
  assert_null(sl_heap_top(&h));
  sl_heap_free(&h);
}

struct node {
  int v;
  struct node *prev, *next;
};

static void check(struct node *head, const int *want, int n)
{
  int i = 0;
  for(struct node *x = head; x; x = x->next)
    assert_int_equal(x->v, want[i++]);
  assert_int_equal(i, n);
}

static void test_list(void **state)
{
  struct node a = {1, 0, 0}, b = {2, 0, 0}, c = {3, 0, 0};
  struct node *head = NULL, *tail = NULL;
  (void)state;
  SL_LIST_APPEND(head, tail, &b, prev, next);
  SL_LIST_APPEND(head, tail, &c, prev, next);
  SL_LIST_PREPEND(head, tail, &a, prev, next);
  check(head, (int[]){1, 2, 3}, 3);
  assert_ptr_equal(tail, &c);
  SL_LIST_REMOVE(head, tail, &b, prev, next);
  check(head, (int[]){1, 3}, 2);
  assert_null(b.prev);
  SL_LIST_REMOVE(head, tail, &c, prev, next);
  assert_ptr_equal(tail, &a);
  SL_LIST_REMOVE(head, tail, &a, prev, next);
  assert_null(head);
  assert_null(tail);
  SL_LIST_PREPEND(head, tail, &b, prev, next);
  assert_ptr_equal(head, &b);
  assert_ptr_equal(tail, &b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_heap_order),
      cmocka_unit_test(test_list),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
