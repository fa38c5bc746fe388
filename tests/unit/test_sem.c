/*
 * test_sem.c - the counting semaphore of limits/: permits, FIFO handoff,
 * priority order (FIFO within one), no queue jumping, removal of
 * cancelled waiters, limit changes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "limits/sem.h"

static void test_permits(void **state)
{
  struct sl_sem s;
  (void)state;
  sl_sem_init(&s, 2);
  assert_true(sl_sem_try_acquire(&s));
  assert_true(sl_sem_try_acquire(&s));
  assert_false(sl_sem_try_acquire(&s));
  assert_null(sl_sem_release(&s));
  assert_true(sl_sem_try_acquire(&s));
  assert_int_equal(s.held, 2);
}

static void test_fifo_handoff(void **state)
{
  struct sl_sem s;
  struct sl_sem_waiter w[3] = {{0}};
  (void)state;
  sl_sem_init(&s, 1);
  assert_true(sl_sem_try_acquire(&s));
  sl_sem_enqueue(&s, &w[0]);
  sl_sem_enqueue(&s, &w[1]);
  sl_sem_enqueue(&s, &w[2]);
  assert_int_equal(s.waiting, 3);
  /* the permit goes straight to the oldest waiter */
  assert_ptr_equal(sl_sem_release(&s), &w[0]);
  assert_int_equal(s.held, 1);
  assert_ptr_equal(sl_sem_release(&s), &w[1]);
  assert_ptr_equal(sl_sem_release(&s), &w[2]);
  assert_null(sl_sem_release(&s));
  assert_int_equal(s.held, 0);
  assert_int_equal(s.waiting, 0);
}

/* Lower priority values first, FIFO among equal ones, whatever order
   they came in. */
static void test_priority_order(void **state)
{
  static const int prio[] = {2, 1, 2, 0, 1, 0, 3, -1};
  static const int want[] = {7, 3, 5, 1, 4, 0, 2, 6};
  struct sl_sem s;
  struct sl_sem_waiter w[8] = {{0}};
  (void)state;
  sl_sem_init(&s, 1);
  assert_true(sl_sem_try_acquire(&s));
  for(int i = 0; i < 8; i++) {
    w[i].prio = prio[i];
    sl_sem_enqueue(&s, &w[i]);
  }
  sl_sem_remove(&s, &w[4]); /* a cancelled one leaves its place */
  for(int i = 0; i < 8; i++) {
    if(want[i] == 4)
      continue;
    assert_ptr_equal(sl_sem_release(&s), &w[want[i]]);
  }
  assert_null(sl_sem_release(&s));
  assert_int_equal(s.waiting, 0);
}

static void test_no_queue_jumping(void **state)
{
  struct sl_sem s;
  struct sl_sem_waiter w = {0};
  (void)state;
  sl_sem_init(&s, 1);
  assert_true(sl_sem_try_acquire(&s));
  sl_sem_enqueue(&s, &w);
  /* the limit grows: the waiter is admitted, not a newcomer */
  assert_ptr_equal(sl_sem_set_limit(&s, 2), &w);
  assert_false(sl_sem_try_acquire(&s));
  sl_sem_enqueue(&s, &w);
  assert_false(sl_sem_try_acquire(&s)); /* someone queued: no jumping */
}

static void test_remove(void **state)
{
  struct sl_sem s;
  struct sl_sem_waiter w[3] = {{0}};
  (void)state;
  sl_sem_init(&s, 1);
  assert_true(sl_sem_try_acquire(&s));
  sl_sem_enqueue(&s, &w[0]);
  sl_sem_enqueue(&s, &w[1]);
  sl_sem_enqueue(&s, &w[2]);
  sl_sem_remove(&s, &w[1]);
  sl_sem_remove(&s, &w[1]); /* a second remove is a no-op */
  assert_int_equal(s.waiting, 2);
  sl_sem_remove(&s, &w[0]);
  assert_ptr_equal(sl_sem_release(&s), &w[2]);
  assert_null(sl_sem_next_admitted(&s));
  assert_null(s.head);
  assert_null(s.tail);
}

static void test_shrink(void **state)
{
  struct sl_sem s;
  struct sl_sem_waiter w = {0};
  (void)state;
  sl_sem_init(&s, 3);
  assert_true(sl_sem_try_acquire(&s));
  assert_true(sl_sem_try_acquire(&s));
  assert_null(sl_sem_set_limit(&s, 1));
  sl_sem_enqueue(&s, &w);
  assert_null(sl_sem_release(&s)); /* 1 held, limit 1: still full */
  assert_ptr_equal(sl_sem_release(&s), &w);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_permits),
      cmocka_unit_test(test_fifo_handoff),
      cmocka_unit_test(test_priority_order),
      cmocka_unit_test(test_no_queue_jumping),
      cmocka_unit_test(test_remove),
      cmocka_unit_test(test_shrink),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
