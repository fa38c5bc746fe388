/*
 * test_tophosts.c - the summary's hosts with the most failures
 * (cmd/tophosts.c): the host of a URL (user and password, port, case,
 * IPv6, no authority), exact counts up to the cap, and beyond it the
 * Space-Saving guarantees: memory stays at the cap, counts never
 * under-state and over-state by at most their error, and a host with
 * more than N / cap of N failures is never lost among a hundred thousand
 * others.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cmd/tophosts.h"

static void host_is(const char *url, const char *want)
{
  size_t start = 0, len = 0;
  bool got = tophosts_host_of(url, strlen(url), &start, &len);
  if(!want) {
    assert_false(got);
    return;
  }
  assert_true(got);
  assert_int_equal(len, strlen(want));
  assert_memory_equal(url + start, want, len);
}

static void test_host_of(void **state)
{
  (void)state;
  host_is("http://a.test/x", "a.test");
  host_is("https://A.Test:8443", "A.Test:8443");
  host_is("http://user:pw@h.test:80/p?q#f", "h.test:80");
  host_is("http://h.test?q=http://x/", "h.test");
  host_is("http://h.test#frag", "h.test");
  host_is("http://[::1]:8080/", "[::1]:8080");
  host_is("http://a@b@c.test/", "c.test");
  host_is("notaurl", NULL);
  host_is("://x", NULL);
  host_is("http:///path", NULL);
  host_is("http://user@/", NULL);
}

static void test_exact_under_the_cap(void **state)
{
  struct tophosts t;
  const struct tophost *top[3];
  char u[64];
  (void)state;
  tophosts_init(&t);
  for(int i = 0; i < 1000; i++) {
    snprintf(u, sizeof(u), "http://h%d.test/", i % 100);
    tophosts_add(&t, u, strlen(u));
  }
  tophosts_add(&t, "http://H7.TEST:80/a", 19);
  tophosts_add(&t, "http://h7.test:80/b", 19);
  tophosts_add(&t, "http://h3.test/b", 16);
  tophosts_add(&t, "notaurl", 7);
  assert_int_equal(t.n, 101);
  assert_false(t.estimated);
  assert_int_equal(tophosts_top(&t, top, 3), 3);
  assert_string_equal(top[0]->key, "h3.test");
  assert_int_equal(top[0]->count, 11);
  assert_int_equal(top[0]->over, 0);
  assert_string_equal(top[1]->key, "h0.test"); /* ties: by name */
  assert_int_equal(top[1]->count, 10);
  tophosts_free(&t);
}

/* 100000 hosts failing once each, and one failing every 50th time (2000
   of 102000 failures, far above 102000 / 256): it stays first, with a
   count within its error of the truth, and memory stays at the cap. */
static void test_heavy_hitter_kept(void **state)
{
  struct tophosts t;
  const struct tophost *top[1];
  char u[64];
  (void)state;
  tophosts_init(&t);
  for(int i = 0; i < 100000; i++) {
    snprintf(u, sizeof(u), "http://h%d.test/", i);
    tophosts_add(&t, u, strlen(u));
    if(i % 50 == 0)
      tophosts_add(&t, "http://worst.test/", 18);
  }
  assert_int_equal(t.n, TOPHOSTS_CAP);
  assert_true(t.estimated);
  assert_int_equal(tophosts_top(&t, top, 1), 1);
  assert_string_equal(top[0]->key, "worst.test");
  assert_true(top[0]->count >= 2000);
  assert_true(top[0]->count - top[0]->over <= 2000);
  for(size_t i = 0; i < t.n; i++) /* every count covers its truth */
    assert_true(t.v[i]->count >= 1 && t.v[i]->count > t.v[i]->over);
  tophosts_free(&t);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_host_of),
      cmocka_unit_test(test_exact_under_the_cap),
      cmocka_unit_test(test_heavy_hitter_kept),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
