/*
 * resolve.c - names for the fetcher: a cache keyed by host name in front
 * of c-ares (loop/dns.c).  Concurrent lookups of one name share one
 * query; answers live for their TTL (floor and ceiling below); failures
 * are cached briefly; IP literals skip DNS; static entries ("HOST:PORT:
 * ADDR", curl's --resolve syntax) win over DNS.  The addresses reach curl
 * as a CURLOPT_RESOLVE list (both families, so curl's happy eyeballs
 * still works), so curl's own (threaded) resolver is never used.
 *
 * A resolve list is shared by every transfer of a name and port and
 * reference counted: curl reads it while a transfer runs, and the cache
 * entry may be refreshed meanwhile.  Names come from input files, so the
 * cache is the seeded table of base/hash.h.
 */
#include "fetcher/resolve.h"

#include "base/container_of.h"
#include "base/hash.h"
#include "base/list.h"
#include "limits/ns.h"
#include "loop/dns.h"
#include "loop/loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TTL_MIN     (1 * SL_NS_PER_SEC)
#define TTL_MAX     (3600 * SL_NS_PER_SEC)
#define TTL_FAIL    (2 * SL_NS_PER_SEC) /* how long a failure is kept */
#define MAX_ENTRIES 65536
#define NLISTS      4 /* ports per name with a list built */

struct sl_resolve_list {
  unsigned refs;
  unsigned port;
  struct curl_slist *slist;
};

enum { E_RESOLVING, E_OK, E_FAILED };

struct dns_entry {
  struct sl_hnode node; /* in the cache, or (--resolve) in statics */
  struct sl_resolver *r;
  int state;
  bool asking;     /* inside sl_dns_lookup(), which may answer at once */
  int64_t expires; /* loop time */
  int64_t started;
  char msg[160];
  enum sl_error_kind fail_kind;          /* E_FAILED: dns, or invalid_url */
  char *addrs;                           /* "A,[B]" as CURLOPT_RESOLVE */
  struct sl_resolve_list *lists[NLISTS]; /* per port, built on demand */
  struct sl_name_wait *wait_head, *wait_tail;
  char name[];
};

struct sl_resolver {
  struct sl_loop *loop;
  struct sl_dns *dns; /* c-ares, started on first use */
  struct sl_dns_config config;
  char *servers;
  bool names_to_proxy;
  uint64_t queries;
  struct sl_htable cache;
  struct sl_htable statics; /* --resolve entries by "host:port" (a crawl
                               gives thousands), the last given of each */
};

void sl__resolve_list_unref(struct sl_resolve_list *l)
{
  if(l && !--l->refs) {
    curl_slist_free_all(l->slist);
    free(l);
  }
}

bool sl__resolve_first_addr(const struct sl_resolve_list *l, char *buf,
                            size_t cap)
{
  /* "name:port:A,[B]": the name has no ':' (IPv6 literals have no list) */
  const char *a = l ? strchr(l->slist->data, ':') : NULL;
  size_t n;
  if(!a || !(a = strchr(a + 1, ':')))
    return false;
  a += 1 + (a[1] == '[');
  n = strcspn(a, ",]");
  if(n >= cap)
    return false;
  memcpy(buf, a, n);
  buf[n] = '\0';
  return true;
}

struct curl_slist *sl__resolve_slist(const struct sl_resolve_list *l)
{
  return l ? l->slist : NULL;
}

/* A new list "name:port:addrs", holding the entry's reference. */
static struct sl_resolve_list *list_new(const char *name, unsigned port,
                                        const char *addrs)
{
  struct sl_resolve_list *l = calloc(1, sizeof(*l));
  size_t len = strlen(name) + strlen(addrs) + 16;
  char *line = malloc(len);
  if(!l || !line)
    goto fail;
  snprintf(line, len, "%s:%u:%s", name, port, addrs);
  l->slist = curl_slist_append(NULL, line);
  if(!l->slist)
    goto fail;
  free(line);
  l->refs = 1;
  l->port = port;
  return l;
fail:
  free(l);
  free(line);
  return NULL;
}

/* The list for (name, port), built once per answer and port. */
static struct sl_resolve_list *list_for(struct dns_entry *e, const char *name,
                                        unsigned port)
{
  size_t i;
  struct sl_resolve_list *l;
  for(i = 0; i < NLISTS && e->lists[i]; i++)
    if(e->lists[i]->port == port)
      return e->lists[i];
  l = list_new(name, port, e->addrs);
  if(!l)
    return NULL;
  if(i == NLISTS) { /* many ports: replace the oldest */
    sl__resolve_list_unref(e->lists[0]);
    memmove(e->lists, e->lists + 1, (NLISTS - 1) * sizeof(e->lists[0]));
    i = NLISTS - 1;
  }
  e->lists[i] = l;
  return l;
}

static void entry_free(struct dns_entry *e)
{
  for(size_t i = 0; i < NLISTS; i++)
    sl__resolve_list_unref(e->lists[i]);
  free(e->addrs);
  free(e);
}

/* What e knows, for a caller of port: success or error. */
static void answer(struct dns_entry *e, const char *name, unsigned port,
                   struct sl_name_result *out)
{
  memset(out, 0, sizeof(*out));
  if(e->state == E_FAILED) {
    out->error = e->msg;
    out->kind = e->fail_kind;
    return;
  }
  out->list = list_for(e, name, port);
  if(!out->list) {
    out->error = "out of memory";
    out->kind = SL_ERR_INTERNAL;
    return;
  }
  out->list->refs++;
}

static void on_answer(void *ud, const struct sl_dns_answer *a)
{
  struct dns_entry *e = ud;
  struct sl_resolver *r = e->r;
  int64_t now = sl_loop_now(r->loop), ttl = (int64_t)a->ttl * SL_NS_PER_SEC;
  struct sl_name_wait *w;
  struct sl_name_result res;

  if(a->status == SL_DNS_OK && (e->addrs = strdup(a->addrs))) {
    e->state = E_OK;
    ttl = ttl < TTL_MIN ? TTL_MIN : ttl > TTL_MAX ? TTL_MAX : ttl;
  } else {
    e->state = E_FAILED;
    e->fail_kind =
        a->status == SL_DNS_BADNAME ? SL_ERR_INVALID_URL : SL_ERR_DNS;
    snprintf(e->msg, sizeof(e->msg), "%s",
             a->status == SL_DNS_OK ? "out of memory" : a->message);
    ttl = TTL_FAIL;
  }
  e->expires = now + ttl;
  r->queries++;
  if(e->asking)
    return; /* sl__resolve answers its caller itself */
  /* every waiter of the name carries on (or fails) now */
  while((w = e->wait_head)) {
    sl__resolve_leave(w);
    answer(e, e->name, w->port, &res);
    res.waited = now - e->started;
    w->done(w, &res);
  }
}

static bool is_ip_literal(const char *host)
{
  unsigned char buf[16];
  return inet_pton(AF_INET, host, buf) == 1 ||
         inet_pton(AF_INET6, host, buf) == 1;
}

static struct dns_entry *find_static(struct sl_resolver *r, const char *host,
                                     unsigned port)
{
  char key[300];
  int n = snprintf(key, sizeof(key), "%s:%u", host, port);
  struct sl_hnode *x;
  if(n < 0 || (size_t)n >= sizeof(key))
    return NULL;
  x = sl_htable_find(&r->statics, key, (size_t)n,
                     sl_htable_hash(&r->statics, key, (size_t)n));
  return x ? sl_container_of(x, struct dns_entry, node) : NULL;
}

static bool expired(struct sl_hnode *x, void *ud)
{
  struct dns_entry *e = sl_container_of(x, struct dns_entry, node);
  const int64_t *now = ud;
  if(e->state == E_RESOLVING || (now && e->expires > *now))
    return false;
  entry_free(e);
  return true;
}

/* The cached entry of host; an expired one is dropped. */
static struct dns_entry *lookup(struct sl_resolver *r, const char *host,
                                size_t n, uint64_t h, int64_t now)
{
  struct sl_hnode *x = sl_htable_find(&r->cache, host, n, h);
  struct dns_entry *e = x ? sl_container_of(x, struct dns_entry, node) : 0;
  if(e && e->state != E_RESOLVING && e->expires <= now) {
    sl_htable_remove(&r->cache, x); /* expired: ask again */
    entry_free(e);
    e = NULL;
  }
  return e;
}

/* A new entry for host, asked of DNS.  NULL with out's error set when
   it cannot be. */
static struct dns_entry *ask(struct sl_resolver *r, const char *host, size_t n,
                             uint64_t h, int64_t now,
                             struct sl_name_result *out)
{
  struct dns_entry *e;
  out->kind = SL_ERR_INTERNAL;
  out->error = "out of memory";
  if(!r->dns && !(r->dns = sl_dns_new(r->loop, &r->config))) {
    out->kind = SL_ERR_DNS;
    out->error = "cannot start the resolver";
    return NULL;
  }
  if(r->cache.count >= MAX_ENTRIES)
    sl_htable_sweep(&r->cache, expired, &now);
  if(r->cache.count >= MAX_ENTRIES)
    sl_htable_sweep(&r->cache, expired, NULL);
  e = calloc(1, sizeof(*e) + n + 1);
  if(!e)
    return NULL;
  memcpy(e->name, host, n + 1);
  e->node.key = e->name;
  e->node.keylen = n;
  e->node.hash = h;
  e->r = r;
  e->state = E_RESOLVING;
  e->started = now;
  if(sl_htable_insert(&r->cache, &e->node)) {
    free(e);
    return NULL;
  }
  e->asking = true;
  sl_dns_lookup(r->dns, e->name, on_answer, e);
  e->asking = false;
  out->error = NULL;
  return e;
}

bool sl__resolve(struct sl_resolver *r, const char *host, unsigned port,
                 struct sl_name_wait *w, struct sl_name_result *out)
{
  size_t n = strlen(host);
  uint64_t h;
  int64_t now;
  struct dns_entry *e;

  memset(out, 0, sizeof(*out));
  if(is_ip_literal(host))
    return true;
  if(r->statics.count && (e = find_static(r, host, port))) {
    answer(e, host, port, out);
    return true;
  }
  if(r->names_to_proxy)
    return true;
  now = sl_loop_now(r->loop);
  h = sl_htable_hash(&r->cache, host, n);
  e = lookup(r, host, n, h, now);
  if(!e && !(e = ask(r, host, n, h, now, out)))
    return true;
  if(e->state != E_RESOLVING) {
    answer(e, host, port, out);
    return true;
  }
  w->entry = e;
  w->port = port;
  SL_LIST_INSERT_SORTED(e->wait_head, e->wait_tail, w, prev, next, prio);
  return false;
}

void sl__resolve_leave(struct sl_name_wait *w)
{
  struct dns_entry *e = w->entry;
  if(!e)
    return;
  SL_LIST_REMOVE(e->wait_head, e->wait_tail, w, prev, next);
  w->entry = NULL;
}

struct sl_resolver *sl__resolver_new(struct sl_loop *loop,
                                     const struct sl_dns_config *c,
                                     bool names_to_proxy)
{
  struct sl_resolver *r = calloc(1, sizeof(*r));
  if(!r)
    goto nomem;
  r->loop = loop;
  r->config = *c;
  r->names_to_proxy = names_to_proxy;
  sl_htable_init(&r->cache, 0, NULL);
  sl_htable_init(&r->statics, 0, NULL);
  if(c->servers && *c->servers) {
    if(!(r->servers = strdup(c->servers)))
      goto nomem;
    r->config.servers = r->servers;
    /* now, so that servers that do not parse are an error at once */
    if(!(r->dns = sl_dns_new(loop, &r->config)))
      goto fail;
  } else
    r->config.servers = NULL;
  return r;
nomem:
  errno = ENOMEM;
fail:
  sl__resolver_free(r);
  return NULL;
}

int sl__resolver_add_static(struct sl_resolver *r, const char *spec)
{
  /* HOST:PORT:ADDR[,ADDR]... as curl's --resolve takes it */
  const char *c1 = strchr(spec, ':'), *c2;
  struct sl_hnode *old;
  struct dns_entry *e;
  char *end;
  long port;
  errno = EINVAL;
  if(!c1 || c1 == spec)
    return -1;
  port = strtol(c1 + 1, &end, 10);
  c2 = end;
  if(c2 == c1 + 1 || *c2 != ':' || port <= 0 || port > 65535 || !c2[1])
    return -1;
  errno = ENOMEM;
  e = calloc(1, sizeof(*e) + (size_t)(c2 - spec) + 1);
  if(!e)
    return -1;
  memcpy(e->name, spec, (size_t)(c2 - spec));
  for(char *p = e->name; *p && p < e->name + (c1 - spec); p++)
    *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
  if(!(e->addrs = strdup(c2 + 1))) {
    free(e);
    return -1;
  }
  e->state = E_OK;
  e->r = r;
  e->node.key = e->name;
  e->node.keylen = strlen(e->name);
  e->node.hash = sl_htable_hash(&r->statics, e->name, e->node.keylen);
  old = sl_htable_find(&r->statics, e->name, e->node.keylen, e->node.hash);
  if(old) { /* as with curl's --resolve, the last one given counts */
    sl_htable_remove(&r->statics, old);
    entry_free(sl_container_of(old, struct dns_entry, node));
  }
  if(sl_htable_insert(&r->statics, &e->node)) { /* the first one only */
    entry_free(e);
    return -1;
  }
  return 0;
}

uint64_t sl__resolver_queries(const struct sl_resolver *r)
{
  return r ? r->queries : 0;
}

static void drop_entry(struct sl_hnode *x, void *ud)
{
  (void)ud;
  entry_free(sl_container_of(x, struct dns_entry, node));
}

void sl__resolver_free(struct sl_resolver *r)
{
  if(!r)
    return;
  sl_dns_free(r->dns); /* answers what is pending: entries still live */
  sl_htable_free(&r->cache, drop_entry, NULL);
  sl_htable_free(&r->statics, drop_entry, NULL);
  free(r->servers);
  free(r);
}
