/*
 * test_savename.c - cmd/savename.c, the name a body is saved under: the
 * names of ordinary URLs, each placeholder, and a list of hostile URLs
 * (dot segments plain and escaped, absolute paths, backslashes, control
 * bytes, NUL escapes, long segments, empty last segments), every one of
 * which must give a name that stays in its directory; templates that
 * are refused; variants for taken names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd/savename.h"

/* The name of url by tpl (index 7), as a static copy. */
static const char *name_of(const char *tpl, const char *url, size_t len)
{
  static char out[8192];
  struct sl_buf b = {0};
  assert_null(savename_template_check(tpl));
  assert_int_equal(savename_make(&b, tpl, url, len, 7), 0);
  assert_true(b.len < sizeof(out));
  memcpy(out, b.p, b.len + 1);
  sl_buf_free(&b);
  return out;
}

static const char *name(const char *url)
{
  return name_of(SAVENAME_DEFAULT, url, strlen(url));
}

/* What every name must be: relative components, none empty, none
   starting with '.', none too long, only safe bytes and escapes (the
   template's '/' apart). */
static void check_stays(const char *n)
{
  const char *comp = n;
  assert_true(*n && *n != '/');
  for(const char *s = n;; s++) {
    if(*s == '/' || !*s) {
      size_t len = (size_t)(s - comp);
      assert_true(len > 0);
      assert_true(len <= SAVENAME_COMPONENT_MAX);
      assert_true(*comp != '.');
      if(!*s)
        break;
      comp = s + 1;
    } else if(*s == '%') {
      assert_true(strchr("0123456789ABCDEF", s[1]) && s[1]);
      assert_true(strchr("0123456789ABCDEF", s[2]) && s[2]);
    } else {
      assert_non_null(strchr(SAVENAME_SAFE, *s));
    }
  }
}

static void test_ordinary_urls(void **state)
{
  static const struct {
    const char *url, *name;
  } cases[] = {
      {"http://example.com/", "example.com/index.html"},
      {"http://example.com", "example.com/index.html"},
      {"https://Example.COM/a/b/c.html", "example.com/a_b_c.html"},
      {"http://h:8080/x", "h_8080/x"},
      {"http://user:pw@h/x", "h/x"},
      {"http://h/docs/", "h/docs_index.html"},
      {"http://h/search?q=a+b&x=1", "h/search@q=a+b&x=1"},
      {"http://h/?q", "h/index.html@q"},
      {"http://h/a#frag", "h/a"},
      {"http://h/a%20b", "h/a%20b"},
      {"http://h/caf%C3%A9", "h/caf%C3%A9"},
      {"http://[::1]:81/x", "%5B%3A%3A1%5D_81/x"},
      {"http://h/a;b/c", "h/a%3Bb_c"},
  };
  (void)state;
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *n = name(cases[i].url);
    assert_string_equal(n, cases[i].name);
    check_stays(n);
  }
}

static void test_hostile_paths(void **state)
{
  static const struct {
    const char *url, *name; /* NULL: only that it stays */
  } cases[] = {
      {"http://h/../../etc/passwd", "h/etc_passwd"},
      {"http://h/a/../../../x", "h/x"},
      {"http://h/%2e%2e/%2E%2E/etc/passwd", "h/etc_passwd"},
      {"http://h/..%2f..%2fetc%2fpasswd", "h/etc_passwd"},
      {"http://h/..%5c..%5cwin.ini", "h/win.ini"},
      {"http://h/..\\..\\x", "h/x"},
      {"http://h//etc/passwd", "h/etc_passwd"},
      {"http://h/%2Fetc%2Fpasswd", "h/etc_passwd"},
      {"http://h/.", "h/index.html"},
      {"http://h/..", "h/index.html"},
      {"http://h/a/..", "h/index.html"},
      {"http://h/.hidden", "h/_.hidden"},
      {"http://h/.sluice-1-2", "h/_.sluice-1-2"},
      {"http://h/...", "h/_..."},
      {"http://h/a%00b", "h/a%00b"},
      {"http://h/%0a%0d%09%7f", "h/%0A%0D%09%7F"},
      {"http://h/%", "h/%25"},
      {"http://h/%zz%4", "h/%25zz%254"},
      {"http://../x", "_../x"},
      {"http://./x", "_./x"},
      {"http:///x", "_/x"},
      {"http://h%2F..%2F/x", "h%252f..%252f/x"},
      {"http://h/a?../../x", "h/a@..%2F..%2Fx"},
      {"http://h/?/etc/passwd", "h/index.html@%2Fetc%2Fpasswd"},
      {"notaurl", NULL},
      {"", NULL},
      {"://", NULL},
      {"http://h/"
       "\xff\xfe",
       "h/%FF%FE"},
  };
  (void)state;
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *n = name(cases[i].url);
    check_stays(n);
    if(cases[i].name)
      assert_string_equal(n, cases[i].name);
  }
}

/* Bytes no C string holds: a NUL in the URL itself. */
static void test_nul_byte(void **state)
{
  static const char url[] = "http://h/a\0/../../b";
  (void)state;
  check_stays(name_of(SAVENAME_DEFAULT, url, sizeof(url) - 1));
  assert_string_equal(name_of(SAVENAME_DEFAULT, url, sizeof(url) - 1), "h/b");
}

static void test_long_names(void **state)
{
  char url[2200], first[SAVENAME_COMPONENT_MAX + 8], *p;
  const char *n, *slash;
  (void)state;
  /* a 400-character segment: cut, with a hash and its extension */
  p = url + sprintf(url, "http://h/");
  memset(p, 'a', 400);
  strcpy(p + 400, ".html");
  n = name(url);
  check_stays(n);
  slash = strchr(n, '/');
  assert_int_equal(strlen(slash + 1), SAVENAME_COMPONENT_MAX);
  assert_string_equal(n + strlen(n) - 5, ".html");
  assert_non_null(strchr(slash, '~'));
  /* two long ones differing at the end get different names */
  strcpy(first, n);
  p[399] = 'b';
  assert_string_not_equal(name(url), first);
  /* escapes are never cut in half */
  p = url + sprintf(url, "http://h/");
  for(int i = 0; i < 300; i++)
    p += sprintf(p, "%%01");
  check_stays(name(url));
  /* many segments, long host */
  p = url + sprintf(url, "http://");
  memset(p, 'h', 300);
  p += 300;
  for(int i = 0; i < 600; i++)
    p += sprintf(p, "/s");
  check_stays(name(url));
}

static void test_placeholders(void **state)
{
  const char *u = "http://H:81/dir/file.tar.gz?x=1";
  const char *h1, *h2;
  char first[64];
  (void)state;
  assert_string_equal(name_of("{index}", u, strlen(u)), "7");
  assert_string_equal(name_of("{host}", u, strlen(u)), "h_81");
  assert_string_equal(name_of("{path}", u, strlen(u)), "dir_file.tar.gz@x=1");
  assert_string_equal(name_of("{ext}", u, strlen(u)), "_.gz");  /* a dot */
  assert_string_equal(name_of("{ext}", "http://h/x", 10), "_"); /* empty */
  assert_string_equal(name_of("x{ext}", u, strlen(u)), "x.gz");
  assert_string_equal(name_of("{index}{ext}", "http://h/", 9), "7.html");
  assert_string_equal(name_of("{index}{ext}", "http://h/x.", 11), "7");
  assert_string_equal(name_of("{index}{ext}", "http://h/.bashrc", 16), "7");
  assert_string_equal(name_of("out/{host}/{index}-{path}", u, strlen(u)),
                      "out/h_81/7-dir_file.tar.gz@x=1");
  assert_string_equal(name_of(".{index}", u, strlen(u)), "_.7");
  h1 = name_of("{hash}", u, strlen(u));
  assert_int_equal(strlen(h1), 16);
  strcpy(first, h1);
  h2 = name_of("{hash}", u, strlen(u));
  assert_string_equal(first, h2); /* the same in every run */
  assert_string_not_equal(first, name_of("{hash}", "http://h/", 9));
}

static void test_bad_templates(void **state)
{
  static const char *const bad[] = {
      "",          "/abs/{path}", "{host}//{path}", "{host}/", "./{path}",
      "../{path}", "{host}/../x", "{nope}",         "{path",   "path}",
      "{}",        "a\nb",        "{HOST}",         "{ host}", "x/./y",
      "{ho/st}",
  };
  char longer[SAVENAME_TEMPLATE_MAX + 2];
  (void)state;
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_non_null(savename_template_check(bad[i]));
  memset(longer, 'a', sizeof(longer) - 1);
  longer[sizeof(longer) - 1] = '\0';
  assert_non_null(savename_template_check(longer));
  assert_null(savename_template_check("a..b/{index}.{ext}"));
  assert_null(savename_template_check(".x"));
}

static void test_variants(void **state)
{
  struct sl_buf b = {0};
  (void)state;
  assert_int_equal(savename_variant(&b, "h/a_b.html", 1), 0);
  assert_string_equal(b.p, "h/a_b~1.html");
  b.len = 0;
  assert_int_equal(savename_variant(&b, "h/noext", 12), 0);
  assert_string_equal(b.p, "h/noext~12");
  b.len = 0;
  assert_int_equal(savename_variant(&b, "h.x/y", 2), 0);
  assert_string_equal(b.p, "h.x/y~2");
  b.len = 0;
  assert_int_equal(savename_variant(&b, "h/page.html.part", 3), 0);
  assert_string_equal(b.p, "h/page.html~3.part");
  sl_buf_free(&b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ordinary_urls),
      cmocka_unit_test(test_hostile_paths),
      cmocka_unit_test(test_nul_byte),
      cmocka_unit_test(test_long_names),
      cmocka_unit_test(test_placeholders),
      cmocka_unit_test(test_bad_templates),
      cmocka_unit_test(test_variants),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
