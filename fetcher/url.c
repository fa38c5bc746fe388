/*
 * url.c - the cheap up-front look at a URL: turns input that can never be
 * fetched ("notaurl", "ftp://...", "file:///etc/passwd", "http://") into
 * an invalid_url failure with a clear message before any handle is used,
 * and finds the host and port that the per-host limits key on (the name
 * curl connects to: host.c).  curl still validates the rest (escapes,
 * odd ports) and its CURLE_URL_MALFORMAT maps to invalid_url too.
 *
 * It also keeps each easy handle's CURLU (sl__curlu_set): curl parses a
 * URL given as a string anew for every transfer, and for a run of URLs on
 * one origin most of that work repeats.
 */
#include "fetcher/url.h"

#include "fetcher/host.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool sl__url_host(const char *url, char *host, size_t cap, unsigned *port,
                  const char **why)
{
  const char *p, *auth, *end, *at, *h, *hend;
  size_t scheme_len, n;
  bool https, bracketed;

  for(p = url; *p; p++) {
    if((unsigned char)*p <= 0x20 || *p == 0x7f) {
      *why = "URL contains whitespace or control characters";
      return false;
    }
  }
  p = strstr(url, "://");
  if(!p) {
    *why = "not a URL: no scheme (expected http:// or https://)";
    return false;
  }
  scheme_len = (size_t)(p - url);
  https = scheme_len == 5 && !strncasecmp(url, "https", 5);
  if(!https && !(scheme_len == 4 && !strncasecmp(url, "http", 4))) {
    *why = "unsupported scheme (only http and https are fetched)";
    return false;
  }
  auth = p + 3;
  end = auth + strcspn(auth, "/?#");
  at = memchr(auth, '@', (size_t)(end - auth));
  h = at ? at + 1 : auth;
  bracketed = *h == '[';
  if(bracketed) { /* IPv6 literal */
    hend = memchr(h, ']', (size_t)(end - h));
    if(!hend) {
      *why = "URL has an unterminated IPv6 address";
      return false;
    }
    h++;
    p = hend + 1;
  } else {
    hend = memchr(h, ':', (size_t)(end - h));
    if(!hend)
      hend = end;
    p = hend;
  }
  n = (size_t)(hend - h);
  if(!n) {
    *why = "URL has no host";
    return false;
  }
  *port = https ? 443 : 80;
  if(p < end && *p == ':' && p + 1 < end) {
    unsigned long v = 0;
    for(p++; p < end; p++) {
      if(!isdigit((unsigned char)*p) ||
         (v = v * 10 + (unsigned)(*p - '0')) > 65535) {
        *why = "URL has a bad port number";
        return false;
      }
    }
    if(!v) {
      *why = "URL has a bad port number";
      return false;
    }
    *port = (unsigned)v;
  } else if(p < end && *p != ':') {
    *why = "URL has junk after the host";
    return false;
  }
  *why = sl__host_name(url, h, n, bracketed, host, cap);
  return !*why;
}

/* The flags lib/url.c (parseurlandfillconn) parses CURLOPT_URL with. */
#define CURL_URL_FLAGS (CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME)

/* Whether tail (path and query) is one that curl's full parse keeps
   byte for byte and that setting path and query as parts keeps too:
   printable ASCII, no backslash, no fragment, no dot segment to remove,
   no escape (setting a part lower-cases %2E).  *path_len: up to '?'. */
static bool plain_tail(const char *tail, size_t *path_len)
{
  const char *s;
  if(*tail != '/')
    return false;
  *path_len = strcspn(tail, "?");
  for(s = tail; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if(c <= 0x20 || c >= 0x7f || c == '\\' || c == '#' || c == '%' ||
       (c == '/' && s[1] == '.' && s < tail + *path_len))
      return false;
  }
  return true;
}

/* Whether s[0..n) may hold a host that is not ASCII: a byte that is not,
   or an escape. */
static bool maybe_idn(const char *s, size_t n)
{
  for(size_t i = 0; i < n; i++)
    if((unsigned char)s[i] >= 0x80 || s[i] == '%')
      return true;
  return false;
}

bool sl__curlu_set(struct sl_curlu *c, const char *url)
{
  const char *auth = strstr(url, "://");
  size_t origin_len = 0, path_len;
  if(!c->u && !(c->u = curl_url()))
    return false;
  if(auth) {
    auth += 3;
    origin_len = (size_t)(auth + strcspn(auth, "/?#") - url);
    if(origin_len == c->origin_len && !memcmp(url, c->origin, origin_len) &&
       plain_tail(url + origin_len, &path_len)) {
      const char *path = url + origin_len, *q = path + path_len;
      char buf[2048], *copy = NULL;
      bool ok;
      if(*q) { /* the path ends at the '?': set it from a terminated copy */
        copy = path_len < sizeof(buf) ? buf : malloc(path_len + 1);
        if(!copy)
          return false;
        memcpy(copy, path, path_len);
        copy[path_len] = '\0';
      }
      ok = !curl_url_set(c->u, CURLUPART_PATH, copy ? copy : path, 0) &&
           !curl_url_set(c->u, CURLUPART_QUERY, *q ? q + 1 : NULL, 0);
      if(copy != buf)
        free(copy);
      if(ok)
        return true;
    }
  }
  c->origin_len = 0;
  if(curl_url_set(c->u, CURLUPART_URL, url, CURL_URL_FLAGS))
    return false;
  if(!auth)
    return true;
  /* an escape or a byte that is not ASCII in the origin: the host may be
     one curl converts only in a UTF-8 locale (converted here); and not
     cached, as curl 7.88 escapes such a host again each time a part is
     set ("u%" becomes "u%25", then "u%2525") */
  if(maybe_idn(url, origin_len))
    return sl__host_ace(c->u);
  /* not with a fragment: the fast path replaces path and query only */
  if(origin_len < sizeof(c->origin) && !strchr(url, '#')) {
    memcpy(c->origin, url, origin_len);
    c->origin_len = origin_len;
  }
  return true;
}

void sl__curlu_free(struct sl_curlu *c)
{
  curl_url_cleanup(c->u);
  c->u = NULL;
  c->origin_len = 0;
}
