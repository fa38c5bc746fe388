/*
 * netspec.c - checks --resolve entries and --dns-server addresses.
 *
 * Only IP literals are accepted as addresses, through inet_pton(): c-ares
 * takes nothing else as a server, and curl's resolve list would silently
 * ignore a name.  The messages say which part is wrong, because a typo in
 * a fixed address otherwise shows up only as every URL of that host
 * failing.
 */
#include "netspec.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* True when s[0..len) is an IPv4 (v6 false) or IPv6 literal. */
static bool is_ip(const char *s, size_t len, bool v6)
{
  char buf[INET6_ADDRSTRLEN + 1];
  unsigned char addr[sizeof(struct in6_addr)];

  if(!len || len >= sizeof(buf)) {
    return false;
  }
  memcpy(buf, s, len);
  buf[len] = '\0';
  return inet_pton(v6 ? AF_INET6 : AF_INET, buf, addr) == 1;
}

/* Parses s[0..len) as a port number, 1..65535. */
static bool is_port(const char *s, size_t len)
{
  unsigned long v = 0;

  if(!len || len > 5) {
    return false;
  }
  for(size_t i = 0; i < len; i++) {
    if(s[i] < '0' || s[i] > '9') {
      return false;
    }
    v = v * 10 + (unsigned long)(s[i] - '0');
  }
  return v >= 1 && v <= 65535;
}

/* A host name as the URL spells it: letters, digits, '-', '_' and '.',
   not starting with '-' or '.' (curl's "-HOST:PORT" removes an entry and
   "+HOST" adds a timed one; neither means anything here). */
static bool is_host(const char *s, size_t len)
{
  if(!len || s[0] == '-' || s[0] == '.') {
    return false;
  }
  for(size_t i = 0; i < len; i++) {
    char c = s[i];
    if(!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

const char *netspec_check_resolve(const char *spec)
{
  const char *c1 = strchr(spec, ':');
  const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  const char *a;

  if(!c1 || !c2) {
    return "expected HOST:PORT:ADDR[,ADDR]...";
  }
  if(!is_host(spec, (size_t)(c1 - spec))) {
    return "HOST is not a host name";
  }
  if(!is_port(c1 + 1, (size_t)(c2 - c1 - 1))) {
    return "PORT is not a number between 1 and 65535";
  }
  a = c2 + 1;
  if(!*a) {
    return "no ADDR after HOST:PORT:";
  }
  for(;;) {
    size_t n = strcspn(a, ",");
    bool ok;

    if(n >= 2 && a[0] == '[' && a[n - 1] == ']') {
      ok = is_ip(a + 1, n - 2, true);
    } else {
      ok = is_ip(a, n, false) || is_ip(a, n, true);
    }
    if(!ok) {
      return "an ADDR is not an IPv4 or IPv6 address";
    }
    if(!a[n]) {
      break;
    }
    a += n + 1;
  }
  return NULL;
}

/* Checks one server s[0..len) and writes its c-ares form into out (room
   for len + 6: an IPv6 address gains brackets and ":53").  NULL or why
   not. */
static const char *one_server(const char *s, size_t len, char *out)
{
  const char *colon;

  if(!len) {
    return "an empty address";
  }
  if(s[0] == '[') {
    const char *close = memchr(s, ']', len);
    size_t rest;

    if(!close || !is_ip(s + 1, (size_t)(close - s - 1), true)) {
      return "not an IPv6 address in brackets, as in [::1]:53";
    }
    rest = len - (size_t)(close + 1 - s);
    if(rest && (close[1] != ':' || !is_port(close + 2, rest - 1))) {
      return "the port is not a number between 1 and 65535";
    }
    /* c-ares 1.18 refuses "[ADDR6]" without a port */
    snprintf(out, len + 4, "%.*s%s", (int)len, s, rest ? "" : ":53");
    return NULL;
  }
  colon = memchr(s, ':', len);
  if(colon && memchr(colon + 1, ':', len - (size_t)(colon + 1 - s))) {
    /* two colons or more: a bare IPv6 address, no port */
    if(!is_ip(s, len, true)) {
      return "not an IP address (write IPv6 with a port as [::1]:53)";
    }
    snprintf(out, len + 6, "[%.*s]:53", (int)len, s);
    return NULL;
  }
  if(!is_ip(s, colon ? (size_t)(colon - s) : len, false)) {
    return "not an IP address (a DNS server is given by address)";
  }
  if(colon && !is_port(colon + 1, len - (size_t)(colon + 1 - s))) {
    return "the port is not a number between 1 and 65535";
  }
  memcpy(out, s, len);
  out[len] = '\0';
  return NULL;
}

const char *netspec_add_dns_server(struct sl_buf *list, const char *value)
{
  size_t old = list->len;
  const char *s = value;

  /* every server may gain "[]:53" (5) and a comma before it (1) */
  if(sl_buf_reserve(list, strlen(value) * 7 + 8)) {
    return "out of memory";
  }
  for(;;) {
    size_t n = strcspn(s, ",");
    const char *why;

    if(list->len) {
      sl_buf_put(list, ",", 1);
    }
    why = one_server(s, n, list->p + list->len);
    if(why) {
      sl_buf_truncate(list, old);
      return why;
    }
    list->len += strlen(list->p + list->len);
    if(!s[n]) {
      return NULL;
    }
    s += n + 1;
  }
}
