/*
 * url.c - the cheap up-front URL check that turns input which can never
 * be fetched ("notaurl", "ftp://...", "file:///etc/passwd", "http://")
 * into an invalid_url failure with a clear message, before any handle is
 * used.  curl still validates the rest (ports, escapes) and its
 * CURLE_URL_MALFORMAT maps to invalid_url too.
 */
#include "fetcher/internal.h"

#include <string.h>
#include <strings.h>

bool sl__url_check(struct sl_ctx *ctx, const char *url, const char **why)
{
  const char *p, *host;
  size_t scheme_len;
  (void)ctx;

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
  if(!((scheme_len == 4 && !strncasecmp(url, "http", 4)) ||
       (scheme_len == 5 && !strncasecmp(url, "https", 5)))) {
    *why = "unsupported scheme (only http and https are fetched)";
    return false;
  }
  host = p + 3;
  /* skip user info */
  p = host + strcspn(host, "/?#");
  {
    const char *at = memchr(host, '@', (size_t)(p - host));
    if(at)
      host = at + 1;
  }
  if(host == p || *host == ':') {
    *why = "URL has no host";
    return false;
  }
  return true;
}
