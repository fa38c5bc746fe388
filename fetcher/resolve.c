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
 * entry may be refreshed meanwhile.
 */
#include "fetcher/internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TTL_MIN     1.0    /* seconds */
#define TTL_MAX     3600.0 /* seconds */
#define TTL_FAIL    2.0    /* how long a failure is remembered */
#define MAX_ENTRIES 65536

struct sl_resolve_list {
  unsigned refs;
  unsigned port;
  struct curl_slist *slist;
};

enum { E_RESOLVING, E_OK, E_FAILED };

struct dns_entry {
  struct dns_entry *next; /* hash chain */
  int state;
  bool is_static;
  double expires; /* loop time */
  double started;
  enum sl_error_kind kind;
  char msg[160];
  char *addrs;                      /* "A,[B]" in CURLOPT_RESOLVE form */
  struct sl_resolve_list *lists[4]; /* per port, built on demand */
  struct sl_task *wait_head, *wait_tail;
  struct sl_ctx *ctx;
  char name[];
};

struct sl_resolver {
  struct dns_entry **slots;
  size_t nslots, count;
  struct dns_entry *statics; /* --resolve entries, name "host:port" */
};

static uint64_t hash(const char *s)
{
  uint64_t h = 1469598103934665603ull;
  while(*s)
    h = (h ^ (unsigned char)*s++) * 1099511628211ull;
  return h;
}

static void list_unref(struct sl_resolve_list *l)
{
  if(l && !--l->refs) {
    curl_slist_free_all(l->slist);
    free(l);
  }
}

static void entry_drop_lists(struct dns_entry *e)
{
  for(size_t i = 0; i < sizeof(e->lists) / sizeof(e->lists[0]); i++) {
    list_unref(e->lists[i]);
    e->lists[i] = NULL;
  }
}

/* The list for (name, port), built once per answer and port. */
static struct sl_resolve_list *list_for(struct dns_entry *e, const char *name,
                                        unsigned port)
{
  size_t i, n = sizeof(e->lists) / sizeof(e->lists[0]);
  struct sl_resolve_list *l;
  char *line;
  size_t len;
  for(i = 0; i < n && e->lists[i]; i++)
    if(e->lists[i]->port == port)
      return e->lists[i];
  l = calloc(1, sizeof(*l));
  len = strlen(name) + strlen(e->addrs) + 16;
  line = malloc(len);
  if(!l || !line) {
    free(l);
    free(line);
    return NULL;
  }
  snprintf(line, len, "%s:%u:%s", name, port, e->addrs);
  l->slist = curl_slist_append(NULL, line);
  free(line);
  if(!l->slist) {
    free(l);
    return NULL;
  }
  l->refs = 1; /* the entry's */
  l->port = port;
  if(i == n) { /* many ports: replace the oldest */
    list_unref(e->lists[0]);
    memmove(e->lists, e->lists + 1, (n - 1) * sizeof(e->lists[0]));
    i = n - 1;
  }
  e->lists[i] = l;
  return l;
}

static void entry_free(struct dns_entry *e)
{
  entry_drop_lists(e);
  free(e->addrs);
  free(e);
}

static struct sl_resolver *resolver(struct sl_ctx *ctx)
{
  if(!ctx->resolver) {
    struct sl_resolver *r = calloc(1, sizeof(*r));
    if(!r)
      return NULL;
    r->nslots = 256;
    r->slots = calloc(r->nslots, sizeof(*r->slots));
    if(!r->slots) {
      free(r);
      return NULL;
    }
    ctx->resolver = r;
  }
  return ctx->resolver;
}

static struct dns_entry **find(struct sl_resolver *r, const char *name)
{
  struct dns_entry **pp = &r->slots[hash(name) & (r->nslots - 1)];
  while(*pp && strcmp((*pp)->name, name))
    pp = &(*pp)->next;
  return pp;
}

/* Frees answered entries that have expired; all of them when the table
   is full and that was not enough. */
static void sweep(struct sl_resolver *r, double now, bool hard)
{
  for(size_t i = 0; i < r->nslots; i++) {
    struct dns_entry **pp = &r->slots[i], *e;
    while((e = *pp)) {
      if(e->state != E_RESOLVING && (hard || e->expires <= now)) {
        *pp = e->next;
        entry_free(e);
        r->count--;
      } else
        pp = &e->next;
    }
  }
}

static void grow(struct sl_resolver *r)
{
  size_t n = r->nslots * 2;
  struct dns_entry **slots = calloc(n, sizeof(*slots));
  if(!slots)
    return;
  for(size_t i = 0; i < r->nslots; i++) {
    struct dns_entry *e = r->slots[i], *next;
    for(; e; e = next) {
      next = e->next;
      e->next = slots[hash(e->name) & (n - 1)];
      slots[hash(e->name) & (n - 1)] = e;
    }
  }
  free(r->slots);
  r->slots = slots;
  r->nslots = n;
}

static void unlink_waiter(struct dns_entry *e, struct sl_task *t)
{
  SL_LIST_REMOVE(e->wait_head, e->wait_tail, t, dns_prev, dns_next);
  t->dns_wait = NULL;
}

/* Gives t what e knows: 0 (resolved) or -1 (failed, error set). */
static int apply(struct dns_entry *e, struct sl_task *t)
{
  char msg[400];
  if(e->state == E_FAILED) {
    snprintf(msg, sizeof(msg), "%s: %s", t->host_name, e->msg);
    sl__task_set_error(t, SL_ERR_DNS, 0, msg);
    return -1;
  }
  t->resolve = list_for(e, t->host_name, t->port);
  if(!t->resolve) {
    sl__task_set_error(t, SL_ERR_INTERNAL, 0, "out of memory");
    return -1;
  }
  t->resolve->refs++;
  return 0;
}

static void on_answer(void *ud, const struct sl_dns_answer *a)
{
  struct dns_entry *e = ud;
  struct sl_ctx *ctx = e->ctx;
  double now = sl_loop_now(ctx->loop), ttl = a->ttl;
  struct sl_task *t;

  if(a->status == SL_DNS_OK && (e->addrs = strdup(a->addrs))) {
    e->state = E_OK;
    ttl = ttl < TTL_MIN ? TTL_MIN : ttl > TTL_MAX ? TTL_MAX : ttl;
  } else {
    e->state = E_FAILED;
    snprintf(e->msg, sizeof(e->msg), "%s",
             a->status == SL_DNS_OK ? "out of memory" : a->message);
    ttl = TTL_FAIL;
  }
  e->expires = now + ttl;
  ctx->stats_dns_queries++;
  /* every task waiting on the name carries on (or fails) now */
  while((t = e->wait_head)) {
    unlink_waiter(e, t);
    t->dns_ms = (now - e->started) * 1000.0;
    if(apply(e, t) == 0)
      sl__admit_resolved(t);
    else
      sl__admit_fail(t);
  }
}

static bool is_ip_literal(const char *host)
{
  unsigned char buf[16];
  return inet_pton(AF_INET, host, buf) == 1 ||
         inet_pton(AF_INET6, host, buf) == 1;
}

int sl__resolve(struct sl_task *t)
{
  struct sl_ctx *ctx = t->ctx;
  struct sl_resolver *r;
  struct dns_entry **pp, *e;
  double now;
  char key[300];

  if(is_ip_literal(t->host_name))
    return 0;
  r = resolver(ctx);
  if(!r) {
    sl__task_set_error(t, SL_ERR_INTERNAL, 0, "out of memory");
    return -1;
  }
  if(r->statics) {
    snprintf(key, sizeof(key), "%s:%u", t->host_name, t->port);
    for(e = r->statics; e; e = e->next)
      if(!strcmp(e->name, key))
        return apply(e, t);
  }
  /* a proxy variable is set: the proxy resolves the names it is given,
     and curl the others (no_proxy hosts, the proxy's own name) */
  if(ctx->proxy_env)
    return 0;
  now = sl_loop_now(ctx->loop);
  pp = find(r, t->host_name);
  e = *pp;
  if(e && e->state != E_RESOLVING && e->expires <= now) {
    *pp = e->next; /* expired: ask again */
    entry_free(e);
    r->count--;
    e = NULL;
  }
  if(e && e->state != E_RESOLVING)
    return apply(e, t);
  if(!e) {
    if(!ctx->dns && !(ctx->dns = sl_dns_new(ctx->loop, &ctx->dns_config))) {
      sl__task_set_error(t, SL_ERR_DNS, 0,
                         "cannot start the resolver (bad DNS servers?)");
      return -1;
    }
    if(r->count >= MAX_ENTRIES)
      sweep(r, now, false);
    if(r->count >= MAX_ENTRIES)
      sweep(r, now, true);
    if(r->count >= r->nslots)
      grow(r);
    e = calloc(1, sizeof(*e) + strlen(t->host_name) + 1);
    if(!e) {
      sl__task_set_error(t, SL_ERR_INTERNAL, 0, "out of memory");
      return -1;
    }
    strcpy(e->name, t->host_name);
    e->ctx = ctx;
    e->state = E_RESOLVING;
    e->started = now;
    pp = find(r, t->host_name);
    e->next = *pp;
    *pp = e;
    r->count++;
    /* queue t before asking: c-ares may answer from inside the call */
    t->dns_wait = e;
    SL_LIST_APPEND(e->wait_head, e->wait_tail, t, dns_prev, dns_next);
    sl_dns_lookup(ctx->dns, e->name, on_answer, e);
    return t->dns_wait ? 1 : (sl_task_is_final(t) ? -2 : 2);
  }
  t->dns_wait = e;
  SL_LIST_APPEND(e->wait_head, e->wait_tail, t, dns_prev, dns_next);
  return 1;
}

void sl__resolve_leave(struct sl_task *t)
{
  if(t->dns_wait)
    unlink_waiter(t->dns_wait, t);
}

void sl__resolve_release(struct sl_task *t)
{
  list_unref(t->resolve);
  t->resolve = NULL;
}

struct curl_slist *sl__resolve_slist(const struct sl_task *t)
{
  return t->resolve ? t->resolve->slist : NULL;
}

int sl__resolve_add_static(struct sl_ctx *ctx, const char *spec)
{
  /* HOST:PORT:ADDR[,ADDR]... as curl's --resolve takes it */
  struct sl_resolver *r = resolver(ctx);
  const char *c1 = strchr(spec, ':'), *c2;
  struct dns_entry *e;
  char *end;
  long port;
  if(!r)
    return -1;
  if(!c1 || c1 == spec)
    return -1;
  port = strtol(c1 + 1, &end, 10);
  c2 = end;
  if(c2 == c1 + 1 || *c2 != ':' || port <= 0 || port > 65535 || !c2[1])
    return -1;
  e = calloc(1, sizeof(*e) + (size_t)(c2 - spec) + 1);
  if(!e)
    return -1;
  memcpy(e->name, spec, (size_t)(c2 - spec));
  for(char *p = e->name; *p && p < e->name + (c1 - spec); p++)
    *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
  e->addrs = strdup(c2 + 1);
  if(!e->addrs) {
    free(e);
    return -1;
  }
  e->state = E_OK;
  e->is_static = true;
  e->ctx = ctx;
  e->next = r->statics;
  r->statics = e;
  return 0;
}

void sl__resolve_free(struct sl_ctx *ctx)
{
  struct sl_resolver *r = ctx->resolver;
  sl_dns_free(ctx->dns); /* answers what is pending: entries still live */
  ctx->dns = NULL;
  if(!r)
    return;
  sweep(r, 0, true);
  while(r->statics) {
    struct dns_entry *e = r->statics;
    r->statics = e->next;
    entry_free(e);
  }
  free(r->slots);
  free(r);
  ctx->resolver = NULL;
}
