/*
 * test_url.c - fetcher/url.c's CURLU cache: whatever sequence of URLs a
 * pooled handle is given, its CURLU ends up holding exactly what curl's
 * own parse of CURLOPT_URL would (compared part by part with a fresh
 * curl_url_set, on the libcurl this is built against); URLs on the same
 * origin with a plain path keep the origin cached (the fast path); URLs
 * curl rejects report false and drop the cache.  And sl__url_host: the
 * host is the name curl connects to.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fetcher/url.h"
#include "sluice.h"

#include <string.h>

static const CURLUPart parts[] = {
    CURLUPART_URL,      CURLUPART_SCHEME,  CURLUPART_USER,
    CURLUPART_PASSWORD, CURLUPART_OPTIONS, CURLUPART_HOST,
    CURLUPART_PORT,     CURLUPART_PATH,    CURLUPART_QUERY,
    CURLUPART_FRAGMENT, CURLUPART_ZONEID,
};

/* c->u must hold what a fresh parse of url (lib/url.c's flags) holds. */
static void assert_same_as_fresh(const struct sl_curlu *c, const char *url)
{
  CURLU *fresh = curl_url();
  assert_non_null(fresh);
  assert_int_equal(curl_url_set(fresh, CURLUPART_URL, url,
                                CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME),
                   CURLUE_OK);
  for(size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
    char *a = NULL, *b = NULL;
    CURLUcode ra = curl_url_get(c->u, parts[i], &a, 0);
    CURLUcode rb = curl_url_get(fresh, parts[i], &b, 0);
    if(ra != rb || (a && strcmp(a, b)))
      fail_msg("%s: part %d is \"%s\" (%d), a fresh parse has \"%s\" (%d)",
               url, (int)parts[i], a ? a : "", (int)ra, b ? b : "", (int)rb);
    curl_free(a);
    curl_free(b);
  }
  curl_url_cleanup(fresh);
}

static void test_same_as_curl(void **state)
{
  /* in order: each is given to the same handle after the one before */
  static const char *const urls[] = {
      "http://a.test:8080/one",
      "http://a.test:8080/two?x=1&y=2",
      "http://a.test:8080/three",
      "http://a.test:8080/q?",
      "http://a.test:8080/frag#part",
      "http://a.test:8080/after-frag",
      "http://a.test:8080/a/./b/../c",
      "http://a.test:8080/.well-known/x",
      "http://a.test:8080/back\\slash",
      "http://a.test:8080/%41%2e%2E/pct",
      "http://a.test:8080/plain?q=%2E%41",
      "http://a.test:8080/plain2?q=%2e%41&r=%C3%A9",
      "http://a.test:8080/plain3?q=\xc3\xa9",
      "http://a.test:8080/plain4?q=a\\b/./c",
      "http://a.test:8080/plain5?q=/./x/../y",
      "http://a.test:8080//double//slash",
      "http://a.test:8080/caf\xc3\xa9?q=\xc3\xa9",
      "http://a.test:8080?only-query",
      "http://a.test:8080",
      "http://a.test:8080/",
      "HTTP://A.TEST:8080/upper",
      "HTTP://A.TEST:8080/upper2?z",
      "https://a.test/tls",
      "https://user:pw@a.test/auth",
      "https://user:pw@a.test/auth2?k=v",
      "http://[::1]:8080/v6",
      "http://[::1]:8080/v6b",
      "http://127.0.0.1/ip",
      "http://127.0.0.1/ip?again",
      /* a path past the stack buffer below (one string: parenthesised) */
      ("http://a.test:8080/long/"
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
  };
  struct sl_curlu c = {0};
  (void)state;
  for(size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
    assert_true(sl__curlu_set(&c, urls[i]));
    assert_same_as_fresh(&c, urls[i]);
  }
  sl__curlu_free(&c);
  assert_null(c.u);
}

/* A host with an escape or a byte that is not ASCII is never cached:
   curl 7.88 escapes such a host again whenever a part is set, so the fast
   path turned "u%" into "u%2525" (a fuzz finding, fuzz/url.c).  libcurl
   8 refuses such hosts outright: then there is nothing to compare. */
static void test_escaped_host_not_cached(void **state)
{
  static const char *const urls[] = {
      "http://u%/a",
      "http://u%/b",
      "http://a%41.test/a",
      "http://a%41.test/b",
  };
  struct sl_curlu c = {0};
  (void)state;
  for(size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
    bool parsed = sl__curlu_set(&c, urls[i]);
    assert_int_equal(c.origin_len, 0);
    if(parsed)
      assert_same_as_fresh(&c, urls[i]);
  }
  sl__curlu_free(&c);
}

/* The host sluice resolves and keys its limits on is the one curl
   connects to (fetcher/host.c; issue 16's "names" finding): IDN names in
   punycode whatever the locale, numeric IPv4 forms as curl reads them,
   IPv6 literals checked (zone ids refused) rather than sent to DNS. */
static void test_host_names(void **state)
{
  static const char *const good[][2] = {
      {"http://a.test/", "a.test"},
      {"http://A.Test:8080/", "a.test"},
      {"http://127.1/", "127.0.0.1"},
      {"http://2130706433/", "127.0.0.1"},
      {"http://0x7f.1/", "127.0.0.1"},
      {"http://0177.0.0.1/", "127.0.0.1"},
      {"http://1password.test/", "1password.test"},
      {"http://a%2Eb.test/", "a.b.test"},
      {"http://[::0]/", "::"},
      {"http://[::FFFF:127.0.0.1]/", "::ffff:127.0.0.1"},
      /* as written when inet_ntop's form is longer ("::0.1.0.2"), as
         curl keeps it (a fuzz finding) */
      {"http://[::1:2]/", "::1:2"},
      {"http://[2001:DB8::1]/", "2001:db8::1"},
#ifdef SL_HAVE_IDN2
      {"http://b\xc3\xbc"
       "cher.test/",
       "xn--bcher-kva.test"},
      {"http://B\xc3\x9c"
       "CHER.test/",
       "xn--bcher-kva.test"},
      {"http://b%C3%BCcher.test/", "xn--bcher-kva.test"},
#endif
  };
  static const char *const bad[] = {
      "http://[zz::1]/",   "http://[fe80::1%25eth0]/", "http://[::1/",
      "http://-x.test/",   "http://+a.test/",          "http://\xc2\xa0/",
      "http://\xff.test/",
  };
  char host[256];
  unsigned port;
  const char *why;
  (void)state;
  for(size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    why = NULL;
    if(!sl__url_host(good[i][0], host, sizeof(host), &port, &why))
      fail_msg("%s: %s", good[i][0], why);
    assert_string_equal(host, good[i][1]);
  }
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    why = NULL;
    if(sl__url_host(bad[i], host, sizeof(host), &port, &why))
      fail_msg("%s: accepted as %s", bad[i], host);
    assert_non_null(why);
  }
}

#ifdef SL_HAVE_IDN2
/* A pooled handle is given the host in punycode: curl's own conversion
   fails in the C locale this test runs in. */
static void test_idn_to_curl(void **state)
{
  struct sl_curlu c = {0};
  char *h = NULL;
  (void)state;
  assert_true(sl__curlu_set(&c, "http://b\xc3\xbc"
                                "cher.test/p"));
  assert_int_equal(curl_url_get(c.u, CURLUPART_HOST, &h, 0), CURLUE_OK);
  assert_string_equal(h, "xn--bcher-kva.test");
  curl_free(h);
  sl__curlu_free(&c);
}
#endif

static void test_long_path(void **state)
{
  static char url[64 * 1024];
  struct sl_curlu c = {0};
  size_t n;
  (void)state;
  assert_true(sl__curlu_set(&c, "http://a.test/short"));
  n = (size_t)snprintf(url, sizeof(url), "http://a.test/");
  memset(url + n, 'x', sizeof(url) - n - 1);
  url[sizeof(url) - 1] = '\0';
  assert_true(sl__curlu_set(&c, url));
  assert_same_as_fresh(&c, url);
  /* and with a query, which makes the path a copy of its own */
  url[sizeof(url) - 3] = '?';
  assert_true(sl__curlu_set(&c, url));
  assert_same_as_fresh(&c, url);
  sl__curlu_free(&c);
}

/* The cache is what makes it cheap: it must survive same-origin URLs
   and follow an origin change. */
static void test_origin_cached(void **state)
{
  struct sl_curlu c = {0};
  (void)state;
  assert_true(sl__curlu_set(&c, "http://a.test:8080/one"));
  assert_int_equal(c.origin_len, strlen("http://a.test:8080"));
  assert_true(sl__curlu_set(&c, "http://a.test:8080/two?x"));
  assert_int_equal(c.origin_len, strlen("http://a.test:8080"));
  assert_memory_equal(c.origin, "http://a.test:8080", c.origin_len);
  assert_true(sl__curlu_set(&c, "http://b.test/three"));
  assert_int_equal(c.origin_len, strlen("http://b.test"));
  assert_memory_equal(c.origin, "http://b.test", c.origin_len);
  assert_same_as_fresh(&c, "http://b.test/three");
  sl__curlu_free(&c);
}

static void test_rejected(void **state)
{
  struct sl_curlu c = {0};
  CURLU *fresh = curl_url();
  const char *bad = "http://a.test:8080/ok";
  (void)state;
  assert_true(sl__curlu_set(&c, bad));
  /* a host name curl refuses: false, and nothing stays cached */
  assert_int_not_equal(
      curl_url_set(fresh, CURLUPART_URL, "http://a^b.test/",
                   CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME),
      CURLUE_OK);
  assert_false(sl__curlu_set(&c, "http://a^b.test/"));
  assert_int_equal(c.origin_len, 0);
  /* and the handle is good for the next URL */
  assert_true(sl__curlu_set(&c, "http://a.test:8080/next"));
  assert_same_as_fresh(&c, "http://a.test:8080/next");
  curl_url_cleanup(fresh);
  sl__curlu_free(&c);
}

/* ---- the URL helpers of sluice.h ---------------------------------------- */

/* RFC 3986 section 5.4's examples (normal and abnormal), base
   http://a/b/c/d;p?q, normalised: no fragment, "//g" with its "/". */
static void test_resolve_rfc3986(void **state)
{
  static const char *const cases[][2] = {
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g/"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q"},
      {"g#s", "http://a/b/c/g"},
      {"g?y#s", "http://a/b/c/g?y"},
      {";x", "http://a/b/c/;x"},
      {"g;x", "http://a/b/c/g;x"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../g", "http://a/g"},
      {"../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {".g", "http://a/b/c/.g"},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", "http://a/b/c/g?y/./x"},
      {"  g\n", "http://a/b/c/g"},
      {"HTTPS://B.Test:443/x", "https://b.test/x"},
  };
  char buf[256];
  (void)state;
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int n =
        sl_url_resolve("http://a/b/c/d;p?q", cases[i][0], buf, sizeof(buf));
    assert_int_equal(n, (int)strlen(cases[i][1]));
    assert_string_equal(buf, cases[i][1]);
  }
  /* not http(s): no URL to fetch */
  assert_int_equal(sl_url_resolve("http://a/", "mailto:x@y", buf, 256),
                   SL_EINVAL);
  assert_int_equal(sl_url_resolve("http://a/", "javascript:void(0)", buf, 256),
                   SL_EINVAL);
  assert_int_equal(sl_url_resolve("ftp://a/", "g", buf, 256), SL_EINVAL);
  assert_int_equal(sl_url_resolve("notaurl", "g", buf, 256), SL_EINVAL);
}

static void test_normalize(void **state)
{
  static const char *const cases[][2] = {
      {"HTTP://EXAMPLE.com:80/%7efoo/a/../b?%2a=%41#frag",
       "http://example.com/~foo/b?%2A=A"},
      {"https://x.test:443", "https://x.test/"},
      {"https://x.test:8443/a b", "https://x.test:8443/a%20b"},
      {"http://h.test/\xc3\xa9t\xc3\xa9", "http://h.test/%C3%A9t%C3%A9"},
      {"http://u:p@h.test/%zz", "http://u:p@h.test/%zz"},
      {"http://[::1]:8080/./x", "http://[::1]:8080/x"},
  };
  char buf[256], small[8];
  (void)state;
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    assert_int_equal(sl_url_normalize(cases[i][0], buf, sizeof(buf)),
                     (int)strlen(cases[i][1]));
    assert_string_equal(buf, cases[i][1]);
  }
  /* too small: the length it needs, and a cut, terminated start */
  assert_int_equal(sl_url_normalize("http://h.test/abc", small, sizeof(small)),
                   17);
  assert_string_equal(small, "http://");
  assert_int_equal(sl_url_normalize("mailto:x@y", buf, sizeof(buf)),
                   SL_EINVAL);
}

static void test_same_site(void **state)
{
  (void)state;
  assert_true(sl_url_same_site("http://www.example.co.uk/a",
                               "https://img.example.co.uk:8443/b"));
  assert_true(
      sl_url_same_site("http://example.co.uk/", "http://EXAMPLE.co.uk"));
  assert_false(sl_url_same_site("http://a.example.co.uk/", "http://b.co.uk/"));
  assert_false(
      sl_url_same_site("https://a.github.io/", "https://b.github.io/"));
  assert_true(sl_url_same_site("http://x.a.test:1/", "http://a.test:2/"));
  assert_true(sl_url_same_site("http://127.0.0.1:1/", "http://127.0.0.1:2/"));
  assert_false(sl_url_same_site("http://127.0.0.1/", "http://127.0.0.2/"));
  assert_false(sl_url_same_site("http://localhost/", "http://127.0.0.1/"));
  assert_false(sl_url_same_site("mailto:a@b.test", "http://b.test/"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_same_as_curl),
      cmocka_unit_test(test_long_path),
      cmocka_unit_test(test_escaped_host_not_cached),
      cmocka_unit_test(test_host_names),
#ifdef SL_HAVE_IDN2
      cmocka_unit_test(test_idn_to_curl),
#endif
      cmocka_unit_test(test_origin_cached),
      cmocka_unit_test(test_rejected),
      cmocka_unit_test(test_resolve_rfc3986),
      cmocka_unit_test(test_normalize),
      cmocka_unit_test(test_same_site),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
