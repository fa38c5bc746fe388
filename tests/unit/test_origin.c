/*
 * test_origin.c - the origins of fetcher/origin.c: one per scheme, host
 * and port; held by tasks, easy handles and connections, then idle with
 * the oldest freed beyond max_idle; a TLS session share for https only;
 * the gate that opens from the loop's tick and closes again when the
 * last task lets go; when a fresh connection is asked for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fetcher/origin.h"
#include "loop/loop.h"

#include <ev.h>
#include <string.h>

static struct sl_sem_waiter *passed_first;
static int passed_calls;

static void passed(struct sl_sem_waiter *first, struct sl_origin *o)
{
  (void)o;
  passed_first = first;
  passed_calls++;
}

static void on_done(void *ud, CURL *e, CURLcode rc)
{
  (void)ud;
  (void)e;
  (void)rc;
}

static void on_tick(void *ud)
{
  sl__sched_tick(ud);
}

static void on_alarm(void *ud)
{
  (void)ud;
}

struct fx {
  struct sl_loop *loop;
  struct sl_sched sched;
  struct sl_origins os;
};

static int setup(void **state)
{
  static const struct sl_loop_hooks hooks = {on_done, on_tick, on_alarm, NULL,
                                             NULL};
  static struct fx f;
  memset(&f, 0, sizeof(f));
  f.loop = sl_loop_new(NULL, &hooks, &f.sched);
  f.sched.loop = f.loop;
  assert_int_equal(sl__origins_init(&f.os, &f.sched, 2, false, passed), 0);
  passed_first = NULL;
  passed_calls = 0;
  *state = &f;
  return 0;
}

static int teardown(void **state)
{
  struct fx *f = *state;
  sl__origins_free(&f->os);
  sl_loop_free(f->loop);
  return 0;
}

static void test_one_per_origin(void **state)
{
  struct fx *f = *state;
  struct sl_origin *a = sl__origin_take(&f->os, true, "a.test", 443);
  struct sl_origin *b = sl__origin_take(&f->os, true, "a.test", 443);
  struct sl_origin *c = sl__origin_take(&f->os, false, "a.test", 443);
  struct sl_origin *d = sl__origin_take(&f->os, true, "a.test", 8443);
  assert_ptr_equal(a, b);
  assert_ptr_not_equal(a, c);
  assert_ptr_not_equal(a, d);
  assert_string_equal(a->key, "https://a.test:443");
  assert_string_equal(c->key, "http://a.test:443");
  assert_string_equal(d->key, "https://a.test:8443");
  assert_int_equal(a->tasks, 2);
  assert_non_null(a->share); /* TLS sessions and names: every origin */
  assert_non_null(c->share);
  assert_ptr_not_equal(a->share, c->share);
  assert_true(a->tls);
  assert_false(c->tls);
  sl__origin_put(a);
  sl__origin_put(b);
  sl__origin_put(c);
  sl__origin_put(d);
  assert_int_equal(f->os.nidle, 2); /* max_idle: the oldest went */
}

static void test_idle_kept_then_freed(void **state)
{
  struct fx *f = *state;
  struct sl_origin *a = sl__origin_take(&f->os, false, "a.test", 80);
  struct sl_origin *again;
  sl__origin_conn(a, 1); /* a connection holds it after its task */
  sl__origin_put(a);
  assert_int_equal(f->os.nidle, 0);
  sl__origin_handle_move(&f->os, NULL, a);
  sl__origin_conn(a, -1);
  assert_int_equal(f->os.nidle, 0); /* an easy handle has its share */
  sl__origin_handle_move(&f->os, a, NULL);
  assert_int_equal(f->os.nidle, 1);
  again = sl__origin_take(&f->os, false, "a.test", 80);
  assert_ptr_equal(again, a); /* off the idle list, the same one */
  assert_int_equal(f->os.nidle, 0);
  sl__origin_put(again);
  sl__origin_put(sl__origin_take(&f->os, false, "b.test", 80));
  sl__origin_put(sl__origin_take(&f->os, false, "c.test", 80));
  assert_int_equal(f->os.nidle, 2);
  assert_string_equal(f->os.idle->key, "http://b.test:80"); /* a went */
}

static void test_gate(void **state)
{
  struct fx *f = *state;
  struct sl_origin *o = sl__origin_take(&f->os, true, "g.test", 443);
  struct sl_sem_waiter w = {0};
  assert_false(sl__origin_gate_open(o));
  assert_true(sl_sem_try_acquire(&o->gate)); /* the first connection */
  assert_false(sl_sem_try_acquire(&o->gate));
  sl_sem_enqueue(&o->gate, &w);
  sl__origin_open(o);
  sl__origin_open(o);                /* once */
  assert_int_equal(passed_calls, 0); /* not from inside curl: a tick */
  for(int i = 0; i < 10 && !passed_calls; i++)
    sl_loop_run_once(f->loop);
  assert_int_equal(passed_calls, 1);
  assert_ptr_equal(passed_first, &w);
  assert_true(sl__origin_gate_open(o));
  /* the last task lets go: the next burst checks anew */
  sl_sem_release(&o->gate);
  sl_sem_release(&o->gate);
  sl__origin_put(o);
  o = sl__origin_take(&f->os, true, "g.test", 443);
  assert_false(sl__origin_gate_open(o));
  sl__origin_put(o);
}

static void test_fresh(void **state)
{
  struct fx *f = *state;
  struct sl_origin *o = sl__origin_take(&f->os, false, "f.test", 80);
  struct sl_origin *s = sl__origin_take(&f->os, true, "f.test", 443);
  assert_true(sl__origin_fresh(o, false)); /* nothing open */
  sl__origin_running(o, 1);
  sl__origin_conn(o, 1);
  assert_true(sl__origin_fresh(o, false)); /* the one is busy */
  sl__origin_running(o, -1);
  assert_false(sl__origin_fresh(o, false)); /* it may be idle */
  assert_false(sl__origin_fresh(s, true));  /* https may multiplex */
  f->os.http1_only = true;
  assert_true(sl__origin_fresh(s, true));
  sl__origin_conn(o, -1);
  sl__origin_put(o);
  sl__origin_put(s);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_one_per_origin, setup, teardown),
      cmocka_unit_test_setup_teardown(test_idle_kept_then_freed, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_gate, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fresh, setup, teardown),
  };
  curl_global_init(CURL_GLOBAL_DEFAULT);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
