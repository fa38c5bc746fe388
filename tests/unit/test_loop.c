/*
 * test_loop.c - loop/loop.c's deferred removal (sl_loop_remove_later):
 * a transfer let go of from a done hook while curl still holds its
 * finished result is never reported done, and comes back through the
 * removed hook exactly once; outside the loop's callbacks the removal is
 * at once.  Transfers to a scheme curl does not speak fail in curl's
 * first pass over them, so several finish together without any server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "loop/loop.h"

#include <string.h>

enum { N = 4 };

struct fx {
  struct sl_loop *loop;
  CURL *easy[N];
  struct sl_loop_easy le[N];
  int done[N], removed[N];
  int ndone;
};

static int index_of(struct fx *f, CURL *e)
{
  for(int i = 0; i < N; i++)
    if(f->easy[i] == e)
      return i;
  fail();
  return -1;
}

/* The first transfer reported lets go of every other one, as a group's
   first failure cancels its siblings. */
static void on_done(void *ud, CURL *e, CURLcode rc)
{
  struct fx *f = ud;
  (void)rc;
  f->done[index_of(f, e)]++;
  if(f->ndone++)
    return;
  for(int i = 0; i < N; i++)
    if(f->easy[i] != e)
      sl_loop_remove_later(f->loop, f->easy[i]);
}

static void on_removed(void *ud, CURL *e)
{
  struct fx *f = ud;
  f->removed[index_of(f, e)]++;
}

static void on_tick(void *ud)
{
  (void)ud;
}

static void on_alarm(void *ud)
{
  (void)ud;
}

static void on_conn(void *ud, void *owner, int delta)
{
  (void)ud;
  (void)owner;
  (void)delta;
}

/* A loop with n transfers added, each to a scheme curl fails at once. */
static void start(struct fx *f, int n)
{
  static const struct sl_loop_hooks hooks = {on_done, on_tick, on_alarm,
                                             on_conn, on_removed};
  memset(f, 0, sizeof(*f));
  assert_non_null(f->loop = sl_loop_new(NULL, &hooks, f));
  for(int i = 0; i < n; i++) {
    assert_non_null(f->easy[i] = curl_easy_init());
    sl_loop_prepare(f->loop, f->easy[i], &f->le[i]);
    curl_easy_setopt(f->easy[i], CURLOPT_URL, "nosuch://a.test/");
    assert_int_equal(sl_loop_add(f->loop, f->easy[i]), 0);
  }
}

static void test_let_go_while_finished(void **state)
{
  struct fx f;
  (void)state;
  start(&f, N);
  for(int tries = 0; tries < 100 && f.ndone == 0; tries++)
    sl_loop_run_once(f.loop);
  sl_loop_run_once(f.loop); /* the check phase: the removals are done */
  assert_int_equal(f.ndone, 1);
  for(int i = 0; i < N; i++) {
    assert_int_equal(f.done[i] + f.removed[i], 1);
    curl_easy_cleanup(f.easy[i]);
  }
  sl_loop_free(f.loop);
}

/* Outside the loop's callbacks the transfer leaves curl at once. */
static void test_let_go_outside_the_loop(void **state)
{
  struct fx f;
  (void)state;
  start(&f, 1);
  sl_loop_remove_later(f.loop, f.easy[0]);
  assert_int_equal(f.removed[0], 1);
  sl_loop_run_once(f.loop);
  assert_int_equal(f.done[0], 0);
  curl_easy_cleanup(f.easy[0]);
  sl_loop_free(f.loop);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_let_go_while_finished),
      cmocka_unit_test(test_let_go_outside_the_loop),
  };
  curl_global_init(CURL_GLOBAL_DEFAULT);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
