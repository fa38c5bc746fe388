/*
 * dns.h - c-ares on the same libev loop: one ev_io per DNS socket (from
 * ARES_OPT_SOCK_STATE_CB) and one timer re-armed from ares_timeout()
 * after every call into c-ares.  No thread is ever made for a lookup.
 * This module resolves one name to its addresses and their TTL; caching
 * and sharing lookups is the fetcher's job (fetcher/resolve.c).
 */
#ifndef SL_LOOP_DNS_H
#define SL_LOOP_DNS_H

#include <stddef.h>

struct sl_loop;
struct sl_dns;

/* How long a lookup may take at most, tries and servers all told, by
   default. */
#define SL_DNS_LIMIT_MS 5000

struct sl_dns_config {
  const char *servers; /* "ADDR[:PORT],..." (c-ares CSV); NULL: system */
  long timeout_ms;     /* the longest a lookup takes, in all tries: a
                          timeout after it; 0: SL_DNS_LIMIT_MS */
  int tries;           /* 0: 2 (the first gets a third of the time, the
                          second the rest: c-ares doubles the wait) */
};

enum sl_dns_status {
  SL_DNS_OK = 0,
  SL_DNS_NXDOMAIN, /* no such name */
  SL_DNS_NODATA,   /* the name exists but has no address */
  SL_DNS_SERVFAIL, /* the server failed (or refused) */
  SL_DNS_TIMEOUT,  /* no answer */
  SL_DNS_BADNAME,  /* not a name DNS can ask for (an empty label, ...) */
  SL_DNS_ERROR     /* anything else: out of memory, bad name, closed */
};

/* An answer: addrs is "A,B,..." in curl's CURLOPT_RESOLVE form (IPv6 in
   brackets), valid only during the callback; ttl in seconds, the least of
   the records' (0 when the answer came from /etc/hosts). */
struct sl_dns_answer {
  enum sl_dns_status status;
  const char *message; /* for error records: "no such name", ... */
  const char *addrs;
  size_t naddrs;
  int ttl;
};

typedef void (*sl_dns_cb)(void *ud, const struct sl_dns_answer *a);

/* NULL with errno set (EINVAL for bad servers). */
struct sl_dns *sl_dns_new(struct sl_loop *l, const struct sl_dns_config *c);

/* Pending lookups are answered with SL_DNS_ERROR ("cancelled") from
   inside this call.  NULL is a no-op. */
void sl_dns_free(struct sl_dns *d);

/* Starts a lookup of A and AAAA records (and /etc/hosts first).  cb runs
   exactly once, on the loop, never from inside this call... except when
   c-ares answers at once (a hosts-file hit, a bad name): then cb may run
   before this returns.  Callers must allow both. */
void sl_dns_lookup(struct sl_dns *d, const char *name, sl_dns_cb cb, void *ud);

#endif
