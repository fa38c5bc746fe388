/*
 * resolve.h - the name cache: host names to the addresses curl is given
 * (CURLOPT_RESOLVE lists), in front of c-ares (loop/dns.h).  It knows
 * nothing of tasks: a caller asks for a name with a waiter it embeds,
 * and gets the answer at once or through the waiter's callback.
 */
#ifndef SL_FETCHER_RESOLVE_H
#define SL_FETCHER_RESOLVE_H

#include "sluice.h"

#include <stdbool.h>
#include <stdint.h>

#include <curl/curl.h>

struct sl_loop;
struct sl_dns_config;
struct sl_resolver;
struct sl_resolve_list; /* shared by the transfers of a name and port */
struct dns_entry;

struct sl_name_result {
  /* success: referenced for the caller (sl__resolve_list_unref); NULL
     for names that are curl's to resolve (IP literals, with a proxy) */
  struct sl_resolve_list *list;
  const char *error;       /* NULL, or why not (valid during the call) */
  enum sl_error_kind kind; /* with error: dns, or internal */
  int64_t waited;          /* ns the lookup took; 0 when answered at once */
};

/* A caller waiting for a name.  The waiters of a name are answered
   lowest prio first, FIFO within one. */
struct sl_name_wait {
  struct dns_entry *entry; /* NULL when not waiting */
  struct sl_name_wait *prev, *next;
  unsigned port;
  int prio;
  void (*done)(struct sl_name_wait *w, const struct sl_name_result *r);
};

/* A resolver on loop.  names_to_proxy: a proxy resolves the names it is
   given, and curl the others, so only fixed answers (--resolve) are
   ours.  Servers in c are checked at once: NULL with errno EINVAL when
   they do not parse, ENOMEM, EIO. */
struct sl_resolver *sl__resolver_new(struct sl_loop *loop,
                                     const struct sl_dns_config *c,
                                     bool names_to_proxy);

/* A fixed answer, "HOST:PORT:ADDR[,ADDR]..." as curl's --resolve takes
   it: 0, or -1 (EINVAL, ENOMEM). */
int sl__resolver_add_static(struct sl_resolver *r, const char *spec);

/* Answers every waiter left... there must be none.  NULL is a no-op. */
void sl__resolver_free(struct sl_resolver *r);

/* Names looked up in DNS so far. */
uint64_t sl__resolver_queries(const struct sl_resolver *r);

/* Looks host (lower case) up for port.  true: answered now, *out set
   (success or error).  false: w waits, and w->done runs exactly once on
   the loop with the answer, unless sl__resolve_leave(w) comes first. */
bool sl__resolve(struct sl_resolver *r, const char *host, unsigned port,
                 struct sl_name_wait *w, struct sl_name_result *out);

/* Stops waiting (a no-op when w does not wait). */
void sl__resolve_leave(struct sl_name_wait *w);

/* Drops a reference to a list; NULL is a no-op. */
void sl__resolve_list_unref(struct sl_resolve_list *l);

/* The first address of a list, without brackets, into buf (cap bytes):
   true, or false for NULL or one that does not fit. */
bool sl__resolve_first_addr(const struct sl_resolve_list *l, char *buf,
                            size_t cap);

/* The list for CURLOPT_RESOLVE; NULL for NULL. */
struct curl_slist *sl__resolve_slist(const struct sl_resolve_list *l);

#endif
