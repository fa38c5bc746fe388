/*
 * host.h - the name a URL's host is known by: the one curl connects to,
 * which the name cache resolves and the per-host limits key on.  A plain
 * host name or dotted quad is taken as written (in lower case); what curl
 * reads differently is asked of curl's own URL parser (numeric IPv4 forms
 * such as 127.1, 2130706433 or 0x7f.1, percent-escapes); internationalised
 * names become their IDNA form (punycode, "xn--..."); IPv6 literals are
 * checked.
 *
 * IDN: libcurl converts names with libidn2 in the process's locale, which
 * fails for any non-ASCII name in the C locale a library or a cron job
 * runs in.  So sluice converts them itself, from UTF-8 whatever the
 * locale (idn2_lookup_u8, with the flags libcurl uses: UTS #46
 * non-transitional, then transitional), and hands curl the URL with the
 * converted host (sl__host_ace).  Without libidn2 at build time such
 * names are invalid_url.
 */
#ifndef SL_FETCHER_HOST_H
#define SL_FETCHER_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

/* The host h[0..n) of url (without its brackets when bracketed, an IPv6
   literal) as curl connects to it, in lower case, into out (cap bytes
   with the NUL).  NULL, or why it cannot be fetched (a static message,
   for an invalid_url failure): an invalid IPv6 address, a zone id, a
   name that is not valid IDNA, one too long. */
const char *sl__host_name(const char *url, const char *h, size_t n,
                          bool bracketed, char *out, size_t cap);

/* Gives u (a parsed URL) the IDNA form of its host when that is not
   ASCII.  false when it cannot (curl then reports the URL). */
bool sl__host_ace(CURLU *u);

#endif
