/*
 * links.c - URL helpers for a crawler, on libcurl's URL API: a link
 * resolved against its page (RFC 3986 section 5), a URL normalised so
 * that one page has one spelling (RFC 3986 section 6.2.2, and what every
 * crawler drops: the fragment, the default port), and the same-site test
 * (registrable domains, domain.c).
 *
 * curl does most of it: parsing, relative references, dot segments,
 * escaping spaces and bytes over 0x7f (CURLU_URLENCODE), the scheme's
 * case, the default port (CURLU_NO_DEFAULT_PORT).  What libcurl 7.88
 * does not, is done here: a reference that is empty or only a fragment
 * is the base itself (curl makes "#s" the base's directory), the host is
 * lower-cased, and escapes are written one way (%7e is "~", %2a is
 * "%2A").  Leading and trailing spaces and control characters of a link
 * are dropped, as browsers drop them from an href.
 */
#include "sluice.h"

#include "fetcher/domain.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLAGS (CURLU_URLENCODE | CURLU_ALLOW_SPACE)

static bool unreserved(int c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

static int hexval(int c)
{
  if(c >= '0' && c <= '9')
    return c - '0';
  c |= 0x20;
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* s written into buf (size bytes) with every escape in one form: an
   unreserved character decoded, any other escape in upper case.  Returns
   the length it needs, as snprintf. */
static int write_escapes(const char *s, char *buf, size_t size)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t n = 0;
  for(; *s; s++) {
    char out[3];
    size_t k = 1;
    int hi = s[0] == '%' ? hexval(s[1]) : -1;
    int lo = hi >= 0 ? hexval(s[2]) : -1;
    out[0] = *s;
    if(lo >= 0 && unreserved(hi * 16 + lo)) {
      out[0] = (char)(hi * 16 + lo);
      s += 2;
    } else if(lo >= 0) {
      out[1] = hex[hi];
      out[2] = hex[lo];
      k = 3;
      s += 2;
    }
    for(size_t i = 0; i < k; i++, n++)
      if(n + 1 < size)
        buf[n] = out[i];
  }
  if(size)
    buf[n < size ? n : size - 1] = '\0';
  return (int)n;
}

/* Whether u's scheme is http or https. */
static bool fetchable(CURLU *u)
{
  char *scheme = NULL;
  bool ok = !curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) &&
            (!strcmp(scheme, "http") || !strcmp(scheme, "https"));
  curl_free(scheme);
  return ok;
}

/* The URL in u, normalised, into buf: its length as snprintf, or an
   SL_E* code. */
static int normalised(CURLU *u, char *buf, size_t size)
{
  char *host = NULL, *url = NULL;
  int rc = SL_EINVAL;
  if(!fetchable(u) || curl_url_get(u, CURLUPART_HOST, &host, 0))
    goto done;
  for(char *p = host; *p; p++)
    *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
  rc = SL_ENOMEM;
  if(curl_url_set(u, CURLUPART_HOST, host, 0) ||
     curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) ||
     curl_url_get(u, CURLUPART_URL, &url, CURLU_NO_DEFAULT_PORT))
    goto done;
  rc = write_escapes(url, buf, size);
done:
  curl_free(host);
  curl_free(url);
  return rc;
}

/* s without the spaces and control characters around it, into a copy
   when it has some (*copy to free), else s itself; NULL when out of
   memory. */
static const char *trimmed(const char *s, char **copy)
{
  size_t n;
  *copy = NULL;
  while(*s && (unsigned char)*s <= 0x20)
    s++;
  n = strlen(s);
  if(!n || (unsigned char)s[n - 1] > 0x20)
    return s;
  while(n && (unsigned char)s[n - 1] <= 0x20)
    n--;
  *copy = strndup(s, n);
  return *copy;
}

int sl_url_resolve(const char *base, const char *ref, char *buf, size_t size)
{
  CURLU *u;
  char *copy = NULL;
  int rc = SL_EINVAL;
  if(!base || !ref || (!buf && size))
    return SL_EINVAL;
  if(!(u = curl_url()) || !(ref = trimmed(ref, &copy))) {
    curl_url_cleanup(u);
    return SL_ENOMEM;
  }
  /* empty, or only a fragment: the base (which curl 7.88 gets wrong) */
  if(!curl_url_set(u, CURLUPART_URL, base, FLAGS) && fetchable(u) &&
     (!*ref || *ref == '#' || !curl_url_set(u, CURLUPART_URL, ref, FLAGS)))
    rc = normalised(u, buf, size);
  free(copy);
  curl_url_cleanup(u);
  return rc;
}

int sl_url_normalize(const char *url, char *buf, size_t size)
{
  CURLU *u;
  char *copy = NULL;
  int rc = SL_EINVAL;
  if(!url || (!buf && size))
    return SL_EINVAL;
  if(!(u = curl_url()) || !(url = trimmed(url, &copy))) {
    curl_url_cleanup(u);
    return SL_ENOMEM;
  }
  if(!curl_url_set(u, CURLUPART_URL, url, FLAGS))
    rc = normalised(u, buf, size);
  free(copy);
  curl_url_cleanup(u);
  return rc;
}

/* The host of an http(s) URL, lower case, into buf; false when it has
   none or it does not fit. */
static bool host_of(const char *url, char *buf, size_t size)
{
  CURLU *u = curl_url();
  char *host = NULL;
  bool ok = u && !curl_url_set(u, CURLUPART_URL, url, FLAGS) && fetchable(u) &&
            !curl_url_get(u, CURLUPART_HOST, &host, 0) && strlen(host) < size;
  if(ok) {
    /* without an IPv6 address's brackets */
    const char *h = host + (*host == '[');
    size_t n = strcspn(h, "]");
    for(size_t i = 0; i < n; i++)
      buf[i] = (char)(h[i] >= 'A' && h[i] <= 'Z' ? h[i] + 32 : h[i]);
    buf[n] = '\0';
  }
  curl_free(host);
  curl_url_cleanup(u);
  return ok;
}

bool sl_url_same_site(const char *a, const char *b)
{
  char ha[1024], hb[1024];
  if(!a || !b || !host_of(a, ha, sizeof(ha)) || !host_of(b, hb, sizeof(hb)))
    return false;
  return !strcmp(sl__registrable_domain(ha), sl__registrable_domain(hb));
}
