/*
 * host.c - the name a URL's host is known by.  See host.h.
 *
 * Most hosts are plain (ASCII names, dotted quads) and are copied in one
 * pass; only the rare others pay for a full parse by curl's URL API, so
 * that whatever curl makes of them is what is resolved.
 */
#include "fetcher/host.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#ifdef SL_HAVE_IDN2
#include <idn2.h>
#endif

#define URL_FLAGS (CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME)

/* Letters, digits, '-', '.' and '_': a name curl takes as it is written
   (anything else, escapes and non-ASCII included, curl may refuse or
   rewrite). */
static bool name_chars(const char *h, size_t n)
{
  for(size_t i = 0; i < n; i++) {
    char c = h[i];
    if(!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
      return false;
  }
  return true;
}

/* True when curl takes h[0..n) as it is written: name_chars, and not a
   number (curl reads any host whose first byte is a digit as an IPv4
   address in some form when it can) unless a dotted quad. */
static bool plain(const char *h, size_t n)
{
  char quad[INET_ADDRSTRLEN];
  unsigned char a[4];

  if(!name_chars(h, n))
    return false;
  if(h[0] < '0' || h[0] > '9')
    return true;
  if(n >= sizeof(quad))
    return false;
  memcpy(quad, h, n);
  quad[n] = '\0';
  return inet_pton(AF_INET, quad, a) == 1;
}

/* An IPv6 literal h[0..n), checked and in the form curl gives it, into
   out (in lower case): inet_ntop's when that is shorter ("::0" is "::"),
   else as written ("::1:2" stays, where inet_ntop says "::0.1.0.2"), as
   libcurl's URL parser does. */
static const char *v6_host(const char *h, size_t n, char *out, size_t cap)
{
  char buf[INET6_ADDRSTRLEN + 1], norm[INET6_ADDRSTRLEN + 1];
  unsigned char a[16];

  if(memchr(h, '%', n))
    return "URL has an IPv6 zone id (link-local addresses with a zone are "
           "not supported)";
  if(n >= sizeof(buf))
    return "URL has an invalid IPv6 address";
  memcpy(buf, h, n);
  buf[n] = '\0';
  if(inet_pton(AF_INET6, buf, a) != 1 ||
     !inet_ntop(AF_INET6, a, norm, sizeof(norm)))
    return "URL has an invalid IPv6 address";
  if(strlen(norm) < n)
    memcpy(buf, norm, strlen(norm) + 1);
  if(strlen(buf) >= cap)
    return "URL host name is too long";
  for(size_t i = 0; buf[i]; i++)
    out[i] = (char)tolower((unsigned char)buf[i]);
  out[strlen(buf)] = '\0';
  return NULL;
}

/* name (UTF-8) in its IDNA form into out.  NULL or why not. */
static const char *to_ace(const char *name, char *out, size_t cap)
{
#ifdef SL_HAVE_IDN2
  char *ace = NULL;
  size_t n;
  int rc = idn2_lookup_u8((const uint8_t *)name, (uint8_t **)&ace,
                          IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  if(rc == IDN2_DISALLOWED)
    rc = idn2_lookup_u8((const uint8_t *)name, (uint8_t **)&ace,
                        IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
  if(rc == IDN2_MALLOC)
    return "out of memory";
  if(rc != IDN2_OK)
    return "URL host is not a valid internationalised domain name (IDNA)";
  n = strlen(ace);
  if(n >= cap || !n || !name_chars(ace, n)) {
    /* UTS #46 maps some code points to ASCII that is no name (U+00A0 to
       a space) */
    idn2_free(ace);
    return n >= cap ? "URL host name is too long"
                    : "URL host is not a valid internationalised domain "
                      "name (IDNA)";
  }
  memcpy(out, ace, n + 1);
  idn2_free(ace);
  return NULL;
#else
  (void)name;
  (void)out;
  (void)cap;
  return "URL host is an internationalised name (this build of sluice has "
         "no libidn2)";
#endif
}

static bool ascii(const char *s)
{
  for(; *s; s++)
    if((unsigned char)*s >= 0x80)
      return false;
  return true;
}

/* The host curl's own parse of url finds, into out.  NULL or why not. */
static const char *curl_host(const char *url, char *out, size_t cap)
{
  CURLU *u = curl_url();
  char *h = NULL;
  const char *why;
  size_t n;
  CURLUcode rc;

  if(!u)
    return "out of memory";
  rc = curl_url_set(u, CURLUPART_URL, url, URL_FLAGS);
  if(!rc)
    rc = curl_url_get(u, CURLUPART_HOST, &h, 0);
  if(rc) {
    why = rc == CURLUE_BAD_HOSTNAME ? "URL has a bad host name"
                                    : curl_url_strerror(rc);
    goto done;
  }
  n = strlen(h);
  why = NULL;
  for(size_t i = 0; i < n; i++)
    if((unsigned char)h[i] <= 0x20 || h[i] == 0x7f)
      why = "URL host contains whitespace or control characters";
  if(!why && !ascii(h))
    why = to_ace(h, out, cap);
  else if(!why && n >= cap)
    why = "URL host name is too long";
  else if(!why)
    memcpy(out, h, n + 1);
done:
  curl_free(h);
  curl_url_cleanup(u);
  return why;
}

const char *sl__host_name(const char *url, const char *h, size_t n,
                          bool bracketed, char *out, size_t cap)
{
  const char *why = NULL;

  if(bracketed)
    why = v6_host(h, n, out, cap);
  else if(!plain(h, n))
    why = curl_host(url, out, cap);
  else if(n >= cap)
    why = "URL host name is too long";
  else {
    memcpy(out, h, n);
    out[n] = '\0';
  }
  if(!why && out[0] == '-') /* curl's CURLOPT_RESOLVE: "-HOST" removes */
    why = "URL host name starts with '-'";
  for(char *p = out; !why && *p; p++)
    if(*p >= 'A' && *p <= 'Z')
      *p = (char)(*p + ('a' - 'A'));
  return why;
}

bool sl__host_ace(CURLU *u)
{
  char *h = NULL, ace[256];
  bool ok;

  if(curl_url_get(u, CURLUPART_HOST, &h, 0))
    return false;
  ok = ascii(h) || (!to_ace(h, ace, sizeof(ace)) &&
                    !curl_url_set(u, CURLUPART_HOST, ace, 0));
  curl_free(h);
  return ok;
}
