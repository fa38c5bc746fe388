/*
 * url.c - the cheap up-front look at a URL: turns input that can never be
 * fetched ("notaurl", "ftp://...", "file:///etc/passwd", "http://") into
 * an invalid_url failure with a clear message before any handle is used,
 * and finds the host and port that the per-host limits key on.  curl
 * still validates the rest (escapes, odd ports) and its
 * CURLE_URL_MALFORMAT maps to invalid_url too.
 */
#include "fetcher/internal.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

bool sl__url_host(const char *url, char *host, size_t cap, unsigned *port,
                  const char **why)
{
  const char *p, *auth, *end, *at, *h, *hend;
  size_t scheme_len, n;
  bool https;

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
  if(*h == '[') { /* IPv6 literal */
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
  if(n >= cap) {
    *why = "URL host name is too long";
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
  for(size_t i = 0; i < n; i++)
    host[i] = (char)tolower((unsigned char)h[i]);
  host[n] = '\0';
  return true;
}
