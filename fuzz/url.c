/*
 * url.c - fuzzes the fetcher's up-front look at a URL (fetcher/url.c):
 *
 * - sl__url_host: no crash or undefined behaviour; a host it accepts is
 *   non-empty, in lower case, free of control characters, with a port in
 *   1..65535; and when libcurl accepts the URL too (with the flags
 *   lib/url.c parses CURLOPT_URL with), the host and port are the ones
 *   curl will connect to (its host part, IDN names in punycode, numeric
 *   IPv4 forms normalised), since the per-host limits and the name cache
 *   key on them and the name resolved must be the name curl looks up
 *   (curl's IDN conversion is locale-bound: the harness runs in
 *   C.UTF-8 so that it converts as sluice does in any locale).
 *   A URL curl refuses may pass here: curl's CURLE_URL_MALFORMAT is an
 *   invalid_url failure as well.
 * - sl__curlu_set, the parsed-URL cache of a pooled handle: after a first
 *   URL and then a second, each one sl__url_host accepted (the only URLs
 *   a handle is given), the handle holds what a fresh parse of the
 *   second holds, part by part (tests/unit/test_url.c's check).
 *
 * Input: one or two URLs separated by a newline.
 */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetcher/host.h"
#include "fetcher/url.h"

#define FLAGS (CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME)

static const CURLUPart parts[] = {
    CURLUPART_URL,      CURLUPART_SCHEME,  CURLUPART_USER,
    CURLUPART_PASSWORD, CURLUPART_OPTIONS, CURLUPART_HOST,
    CURLUPART_PORT,     CURLUPART_PATH,    CURLUPART_QUERY,
    CURLUPART_FRAGMENT, CURLUPART_ZONEID,
};

/* True when sl__url_host accepts url. */
static bool check_host(const char *url)
{
  char host[256], *ch = NULL, *cp = NULL;
  const char *why = NULL;
  unsigned port = 0;
  size_t n;
  CURLU *u;

  if(!sl__url_host(url, host, sizeof(host), &port, &why)) {
    if(!why || !*why)
      abort();
    return false;
  }
  n = strlen(host);
  if(!n || !port || port > 65535)
    abort();
  for(size_t i = 0; i < n; i++)
    if((unsigned char)host[i] <= 0x20 || host[i] == 0x7f ||
       (host[i] >= 'A' && host[i] <= 'Z'))
      abort();
  u = curl_url();
  if(!u)
    return true;
  if(curl_url_set(u, CURLUPART_URL, url, FLAGS) == CURLUE_OK &&
     curl_url_get(u, CURLUPART_HOST, &ch, CURLU_PUNYCODE) == CURLUE_OK &&
     curl_url_get(u, CURLUPART_PORT, &cp, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    size_t cn = strlen(ch);
    const char *c = ch;
    if(c[0] == '[') { /* curl keeps the brackets, and no zone id here */
      c++;
      cn -= 2;
    }
    if(cn != n || strncasecmp(c, host, n) || (unsigned)atoi(cp) != port) {
      fprintf(stderr, "%s: host %s port %u, curl: %s %s\n", url, host, port,
              ch, cp);
      abort();
    }
  }
  curl_free(ch);
  curl_free(cp);
  curl_url_cleanup(u);
  return true;
}

static void check_cache(struct sl_curlu *c, const char *url)
{
  CURLU *fresh = curl_url();
  bool ok = sl__curlu_set(c, url);

  if(!fresh)
    return;
  /* what sl__curlu_set makes of a URL curl parses: its host in IDNA */
  if(ok != (curl_url_set(fresh, CURLUPART_URL, url, FLAGS) == CURLUE_OK &&
            sl__host_ace(fresh)))
    abort();
  for(size_t i = 0; ok && i < sizeof(parts) / sizeof(parts[0]); i++) {
    char *a = NULL, *b = NULL;
    CURLUcode ra = curl_url_get(c->u, parts[i], &a, 0);
    CURLUcode rb = curl_url_get(fresh, parts[i], &b, 0);
    if(ra != rb || (a && strcmp(a, b)))
      abort();
    curl_free(a);
    curl_free(b);
  }
  curl_url_cleanup(fresh);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  /* so that curl's own IDN conversion (CURLU_PUNYCODE, in the locale's
     charset) is the UTF-8 one sluice's must agree with */
  setlocale(LC_CTYPE, "C.UTF-8");
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1), *second;
  struct sl_curlu c = {0};

  if(!s)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  second = strchr(s, '\n');
  if(second)
    *second++ = '\0';
  if(check_host(s))
    check_cache(&c, s);
  if(second && check_host(second))
    check_cache(&c, second);
  sl__curlu_free(&c);
  free(s);
  return 0;
}
