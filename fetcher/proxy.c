/*
 * proxy.c - the proxy variables of the environment.  See proxy.h.
 *
 * A value is checked as libcurl parses it (url.c's parse_proxy in
 * libcurl 7.88): a URL with CURLU_GUESS_SCHEME, of scheme http, https,
 * socks4, socks4a, socks5 or socks5h (no scheme is http).  curl reports
 * one that does not parse as CURLE_COULDNT_RESOLVE_PROXY and one of
 * another scheme as CURLE_COULDNT_CONNECT, for every URL.
 */
#include "fetcher/proxy.h"

#include "sluice.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <strings.h>

static const char *const vars[] = {"http_proxy", "https_proxy", "HTTPS_PROXY",
                                   "all_proxy",  "ALL_PROXY",   NULL};

bool sl__proxy_in_env(void)
{
  for(const char *const *v = vars; *v; v++) {
    const char *val = getenv(*v);
    if(val && *val)
      return true;
  }
  return false;
}

/* Why value is not a proxy curl can use, or NULL. */
static const char *check(const char *value)
{
  static const char *const schemes[] = {"http",    "https",  "socks4",
                                        "socks4a", "socks5", "socks5h"};
  CURLU *u = curl_url();
  char *scheme = NULL;
  const char *why = "not a proxy URL";
  if(!u)
    return "out of memory";
  if(!curl_url_set(u, CURLUPART_URL, value,
                   CURLU_NON_SUPPORT_SCHEME | CURLU_GUESS_SCHEME) &&
     !curl_url_get(u, CURLUPART_SCHEME, &scheme, 0)) {
    why = "unsupported proxy scheme (http, https, socks4, socks4a, socks5 "
          "or socks5h)";
    for(size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
      if(!strcasecmp(scheme, schemes[i]))
        why = NULL;
  }
  curl_free(scheme);
  curl_url_cleanup(u);
  return why;
}

bool sl_proxy_env_check(const char **var, const char **why)
{
  for(const char *const *v = vars; *v; v++) {
    const char *val = getenv(*v);
    const char *w = val && *val ? check(val) : NULL;
    if(w) {
      if(var)
        *var = *v;
      if(why)
        *why = w;
      return false;
    }
  }
  return true;
}
