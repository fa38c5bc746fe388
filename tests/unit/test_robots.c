/*
 * test_robots.c - fetcher/robots against RFC 9309: the examples of its
 * section 5.1 (groups, combined agents, an empty group, "*" and "$"),
 * the special characters of 2.2.3, the longest match with Allow winning
 * a tie, merged groups, Crawl-delay, /robots.txt itself, and untidy
 * files (BOM, CR/CRLF, comments, junk lines, empty rules, NUL bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fetcher/robots.h"

/* RFC 9309, 5.1 */
static const char rfc_example[] = "User-Agent: *\n"
                                  "Disallow: *.gif$\n"
                                  "Disallow: /example/\n"
                                  "Allow: /publications/\n"
                                  "\n"
                                  "User-Agent: foobot\n"
                                  "Disallow:/\n"
                                  "Allow:/example/page.html\n"
                                  "Allow:/example/allowed.gif\n"
                                  "\n"
                                  "User-Agent: barbot\n"
                                  "User-Agent: bazbot\n"
                                  "Disallow: /example/page.html\n"
                                  "\n"
                                  "User-Agent: quxbot\n"
                                  "\n"
                                  "EOF\n";

static struct sl_robots *parse(const char *s, const char *product)
{
  struct sl_robots *r = sl_robots_parse(s, strlen(s), product);
  assert_non_null(r);
  return r;
}

static void expect(const struct sl_robots *r, const char *path, bool allowed,
                   const char *rule)
{
  const char *why = "unset";
  bool got = sl_robots_allowed(r, path, &why);
  if(got != allowed)
    fail_msg("%s: %s, want %s (rule %s)", path, got ? "allowed" : "refused",
             allowed ? "allowed" : "refused", why ? why : "none");
  if(rule ? !why || strcmp(why, rule) : why != NULL)
    fail_msg("%s: rule \"%s\", want \"%s\"", path, why ? why : "(none)",
             rule ? rule : "(none)");
}

static void test_rfc_groups(void **state)
{
  struct sl_robots *r;
  (void)state;
  r = parse(rfc_example, "foobot");
  expect(r, "/example/page.html", true, "Allow: /example/page.html");
  expect(r, "/example/allowed.gif", true, "Allow: /example/allowed.gif");
  expect(r, "/publications/", false, "Disallow: /");
  expect(r, "/robots.txt", true, NULL);
  sl_robots_free(r);
  r = parse(rfc_example, "BazBot"); /* combined agents, any case */
  expect(r, "/example/page.html", false, "Disallow: /example/page.html");
  expect(r, "/example/other.gif", true, NULL);
  sl_robots_free(r);
  r = parse(rfc_example, "quxbot"); /* its group has no rules */
  expect(r, "/example/x.gif", true, NULL);
  sl_robots_free(r);
  r = parse(rfc_example, "otherbot"); /* the "*" group */
  expect(r, "/example/", false, "Disallow: /example/");
  expect(r, "/example/a/b", false, "Disallow: /example/");
  expect(r, "/publications/x", true, "Allow: /publications/");
  expect(r, "/a/b.gif", false, "Disallow: *.gif$");
  expect(r, "/a/b.gif?x=1", true, NULL);
  expect(r, "/", true, NULL);
  sl_robots_free(r);
  r = parse(rfc_example, NULL); /* no product: the "*" group */
  expect(r, "/example/", false, "Disallow: /example/");
  sl_robots_free(r);
}

static void test_longest_match(void **state)
{
  struct sl_robots *r;
  (void)state;
  r = parse("user-agent: *\nallow: /example/page/\n"
            "disallow: /example/page/disallowed.gif\n",
            "x");
  expect(r, "/example/page/disallowed.gif", false,
         "Disallow: /example/page/disallowed.gif");
  expect(r, "/example/page/ok", true, "Allow: /example/page/");
  sl_robots_free(r);
  r = parse("User-agent: *\nDisallow: /x\nAllow: /x\nDisallow: /y\n", "x");
  expect(r, "/x", true, "Allow: /x"); /* a tie: allow */
  expect(r, "/y/z", false, "Disallow: /y");
  sl_robots_free(r);
  /* length as written, not as escaped */
  r = parse("User-agent: *\nDisallow: /\xc3\xa9\nAllow: /\xc3\xa9t\n", "x");
  expect(r, "/%C3%A9t%C3%A9", true, "Allow: /\xc3\xa9t");
  expect(r, "/%c3%a9", false, "Disallow: /\xc3\xa9");
  sl_robots_free(r);
}

static void test_special_characters(void **state)
{
  struct sl_robots *r;
  (void)state;
  r = parse("User-agent: *\n"
            "Disallow: /\n"
            "Allow: /path/file-with-a-%2A.html\n"
            "Allow: /path/foo-%24\n"
            "Allow: /foo/bar/\xe3\x83\x84\n"
            "Allow: /mid$dle\n"
            "Allow: /end$\n",
            "x");
  expect(r, "/path/file-with-a-*.html", true,
         "Allow: /path/file-with-a-%2A.html");
  expect(r, "/path/file-with-a-x.html", false, "Disallow: /");
  expect(r, "/path/foo-$", true, "Allow: /path/foo-%24");
  expect(r, "/foo/bar/%E3%83%84", true, "Allow: /foo/bar/\xe3\x83\x84");
  expect(r, "/foo/bar/\xe3\x83\x84", true, "Allow: /foo/bar/\xe3\x83\x84");
  expect(r, "/mid$dle", true, "Allow: /mid$dle"); /* '$' inside: literal */
  expect(r, "/end", true, "Allow: /end$");
  expect(r, "/endx", false, "Disallow: /");
  sl_robots_free(r);
}

static void test_merged_groups_and_delay(void **state)
{
  struct sl_robots *r;
  (void)state;
  r = parse("User-agent: sluice\nDisallow: /a\nCrawl-delay: 2.5\n\n"
            "User-agent: other\nDisallow: /b\n\n"
            "User-agent: Sluice\nDisallow: /c\n\n"
            "User-agent: *\nDisallow: /\nCrawl-delay: 9\n",
            "sluice");
  expect(r, "/a", false, "Disallow: /a");
  expect(r, "/b", true, NULL);
  expect(r, "/c/d", false, "Disallow: /c");
  assert_true(sl_robots_crawl_delay(r) == 2.5);
  sl_robots_free(r);
  r = parse("User-agent: *\nCrawl-delay: soon\nDisallow: /\n", "x");
  assert_true(sl_robots_crawl_delay(r) == -1);
  sl_robots_free(r);
  { /* found by fuzz/robots.c: a NUL octet where the number goes */
    static const char nul[] = "User-agent: *\nCrawl-delay: \0\0 1\n";
    r = sl_robots_parse(nul, sizeof(nul) - 1, "x");
    assert_non_null(r);
    assert_true(sl_robots_crawl_delay(r) == -1);
  }
  expect(r, "/robots.txt", true, NULL);
  sl_robots_free(r);
  r = sl_robots_allow_all();
  assert_non_null(r);
  expect(r, "/anything", true, NULL);
  assert_true(sl_robots_crawl_delay(r) == -1);
  sl_robots_free(r);
}

static void test_untidy_files(void **state)
{
  static const char f[] = "\xef\xbb\xbfuser-agent: *\r\n"
                          "# a comment\r"
                          "Disallow: /private # mine\r\n"
                          "this line has no colon\n"
                          "Allow:\n"
                          "Disallow:\n"
                          "Sitemap: http://x/s.xml\n"
                          "Disallow: /n\0ul\n"
                          "Disallow: /last";
  struct sl_robots *r = sl_robots_parse(f, sizeof(f) - 1, "x");
  char product[16];
  (void)state;
  assert_non_null(r);
  expect(r, "/private/x", false, "Disallow: /private");
  expect(r, "/public", true, NULL);
  expect(r, "/last", false, "Disallow: /last");
  sl_robots_free(r);
  /* rules before any user-agent line belong to no group */
  r = parse("Disallow: /\nUser-agent: *\nDisallow: /x\n", "x");
  expect(r, "/y", true, NULL);
  sl_robots_free(r);
  sl_robots_product("sluice/0.1 (+http://x)", product, sizeof(product));
  assert_string_equal(product, "sluice");
  sl_robots_product("Mozilla/5.0", product, 4);
  assert_string_equal(product, "Moz");
  sl_robots_product("/x", product, sizeof(product));
  assert_string_equal(product, "");
}

static void test_pathological_pattern(void **state)
{
  char path[4096];
  struct sl_robots *r;
  (void)state;
  memset(path, 'a', sizeof(path) - 1);
  path[0] = '/';
  path[sizeof(path) - 1] = '\0';
  r = parse("User-agent: *\nDisallow: /*a*a*a*a*a*a*a*a*a*a*a*a*b\n", "x");
  expect(r, path, true, NULL); /* O(path x pattern): returns at once */
  sl_robots_free(r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rfc_groups),
      cmocka_unit_test(test_longest_match),
      cmocka_unit_test(test_special_characters),
      cmocka_unit_test(test_merged_groups_and_delay),
      cmocka_unit_test(test_untidy_files),
      cmocka_unit_test(test_pathological_pattern),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
