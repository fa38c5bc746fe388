/*
 * test_proxy.c - a proxy variable that libcurl cannot use is an error
 * when the context is made (issue 16, finding 5: with http_proxy='::::'
 * every URL used to fail later, as a "dns" error), and
 * sl_proxy_env_check() names it; good ones, and none, are fine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "sluice.h"

static const char *const vars[] = {"http_proxy", "https_proxy", "HTTPS_PROXY",
                                   "all_proxy", "ALL_PROXY"};

static void clear(void)
{
  for(size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
    unsetenv(vars[i]);
}

static void test_bad_values(void **state)
{
  static const char *const bad[] = {"::::", "ftp://proxy:21", "http://p:99999",
                                    "[::1"};
  const char *var, *why;
  (void)state;
  for(size_t v = 0; v < sizeof(vars) / sizeof(vars[0]); v++) {
    for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      clear();
      setenv(vars[v], bad[i], 1);
      var = why = NULL;
      assert_false(sl_proxy_env_check(&var, &why));
      assert_string_equal(var, vars[v]);
      assert_non_null(why);
      errno = 0;
      assert_null(sl_ctx_new(NULL));
      assert_int_equal(errno, EINVAL);
    }
  }
  clear();
}

static void test_good_values(void **state)
{
  static const char *const good[] = {"http://proxy.test:3128",
                                     "proxy.test:3128", "socks5h://[::1]:1080",
                                     "HTTPS://u:p@proxy.test", ""};
  sl_ctx *ctx;
  (void)state;
  clear();
  assert_true(sl_proxy_env_check(NULL, NULL));
  for(size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    setenv("all_proxy", good[i], 1);
    assert_true(sl_proxy_env_check(NULL, NULL));
    ctx = sl_ctx_new(NULL);
    assert_non_null(ctx);
    sl_ctx_free(ctx);
  }
  clear();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bad_values),
      cmocka_unit_test(test_good_values),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
