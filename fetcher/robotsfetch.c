/*
 * robotsfetch.c - each origin's robots.txt, fetched once and kept, and
 * the tasks that wait for it.  See robotsfetch.h; sluice.h ("robots.txt")
 * says what each answer means.
 *
 * An entry per origin and product token ("http://a.test:80 sluice"):
 * NEW, then FETCHING while its internal task runs (the origin's tasks
 * wait on the entry's list, stage ROBOTS), then READY with its rules
 * (for 24 h) or DOWN (unreachable: everything refused until the
 * backoff ends); the first task after either asks again.  The internal
 * task is a detached task of the context with the lowest priority, so it
 * is admitted ahead of every task waiting for a limit it needs; it is
 * exempt from robots.txt itself (its redirects to other origins too).
 * Its done callback runs from the scheduler, never inside curl, and
 * sends each waiter on its way (or fails it) in the order they came.
 */
#include "fetcher/robotsfetch.h"

#include "base/buf.h"
#include "base/container_of.h"
#include "base/hash.h"
#include "base/list.h"
#include "fetcher/admit.h"
#include "fetcher/ctx.h"
#include "fetcher/robots.h"
#include "fetcher/task.h"
#include "limits/ns.h"

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#define TTL             (24 * 3600 * SL_NS_PER_SEC) /* RFC 9309 2.4 */
#define DEFAULT_TIMEOUT 30000                       /* ms */
#define DEFAULT_RETRY   60000                       /* ms */
#define MAX_REDIRECTS   5 /* RFC 9309 2.3.1.2: at least five */
#define PRODUCT_MAX     128

enum rb_state { RB_NEW, RB_FETCHING, RB_READY, RB_DOWN };

struct sl_robots_entry {
  struct sl_hnode node;
  enum rb_state state;
  struct sl_robots *rules; /* READY */
  int64_t until;           /* READY: fetch again then; DOWN: refuse until */
  unsigned down;           /* unreachable answers in a row */
  struct sl_buf why;       /* DOWN: what the answer was */
  struct sl_task *wait, *wait_tail; /* stage ROBOTS, in the order come */
  size_t origin_len;                /* key: origin, ' ', product token */
  char key[];
};

struct sl_robots_cache {
  struct sl_htable table;
  long timeout_ms;
  int64_t retry; /* the first backoff, ns */
};

struct sl_robots_cache *sl__robots_cache_new(const struct sl_options *o)
{
  struct sl_robots_cache *c = calloc(1, sizeof(*c));
  if(!c) {
    errno = ENOMEM;
    return NULL;
  }
  sl_htable_init(&c->table, 0, NULL);
  c->timeout_ms =
      o->robots_timeout_ms > 0 ? o->robots_timeout_ms : DEFAULT_TIMEOUT;
  c->retry = sl_ns_from_ms(o->robots_retry_ms > 0 ? o->robots_retry_ms
                                                  : DEFAULT_RETRY);
  return c;
}

static void drop_entry(struct sl_hnode *x, void *ud)
{
  struct sl_robots_entry *e = sl_container_of(x, struct sl_robots_entry, node);
  (void)ud;
  sl_robots_free(e->rules);
  sl_buf_free(&e->why);
  free(e);
}

void sl__robots_cache_free(struct sl_robots_cache *c)
{
  if(!c)
    return;
  sl_htable_free(&c->table, drop_entry, NULL);
  free(c);
}

static const char *product_of(const struct sl_robots_entry *e)
{
  return e->key + e->origin_len + 1;
}

/* t's current URL: its origin ("http://host:port", with the host as
   admission found it) into o, its path and query ("/a?b") into p.  0;
   1 when curl does not parse it (the transfer will say so: robots.txt
   has nothing to add); -1 when memory ran out. */
static int url_parts(struct sl_task *t, struct sl_buf *o, struct sl_buf *p)
{
  CURLU *u = curl_url();
  char *scheme = NULL, *path = NULL, *query = NULL;
  bool v6 = strchr(t->host_name, ':') != NULL;
  int rc = 1;
  if(!u)
    return -1;
  if(!curl_url_set(u, CURLUPART_URL, sl__task_cur_url(t),
                   CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME) &&
     !curl_url_get(u, CURLUPART_SCHEME, &scheme, 0)) {
    curl_url_get(u, CURLUPART_PATH, &path, 0);
    curl_url_get(u, CURLUPART_QUERY, &query, 0);
    rc = sl_buf_printf(o, "%s://%s%s%s:%u", scheme, v6 ? "[" : "",
                       t->host_name, v6 ? "]" : "", t->port) ||
                 sl_buf_printf(p, "%s%s%s", path && *path ? path : "/",
                               query ? "?" : "", query ? query : "")
             ? -1
             : 0;
  }
  curl_free(scheme);
  curl_free(path);
  curl_free(query);
  curl_url_cleanup(u);
  return rc;
}

/* The entry of origin for t's product token, made when missing; NULL
   when memory ran out.  The key ("origin token", the token lower case)
   is made on the stack: a lookup that finds allocates nothing. */
static struct sl_robots_entry *entry_get(struct sl_robots_cache *c,
                                         const struct sl_buf *origin,
                                         struct sl_task *t)
{
  /* an origin is at most "https://[" 255 "]:65535" (host_name's size) */
  char key[300 + PRODUCT_MAX], *k;
  struct sl_robots_entry *e;
  struct sl_hnode *x;
  size_t n;
  uint64_t h;
  if(origin->len > 300)
    return NULL;
  memcpy(key, origin->p, origin->len);
  key[origin->len] = ' ';
  k = key + origin->len + 1;
  sl_robots_product(sl__reqx_user_agent(&t->rx, &t->ctx->xfer.hdrs), k,
                    PRODUCT_MAX);
  for(; *k; k++) /* tokens compare without case */
    *k = (char)(*k >= 'A' && *k <= 'Z' ? *k + 32 : *k);
  n = (size_t)(k - key);
  h = sl_htable_hash(&c->table, key, n);
  if((x = sl_htable_find(&c->table, key, n, h)))
    return sl_container_of(x, struct sl_robots_entry, node);
  if(!(e = calloc(1, sizeof(*e) + n + 1)))
    return NULL;
  memcpy(e->key, key, n + 1);
  e->origin_len = origin->len;
  e->node.key = e->key;
  e->node.keylen = n;
  e->node.hash = h;
  if(sl_htable_insert(&c->table, &e->node)) {
    free(e);
    return NULL;
  }
  return e;
}

static void fail(struct sl_task *t, enum sl_error_kind kind, const char *msg)
{
  sl__task_set_error(t, kind, 0, msg);
  sl__task_finish(t, SL_ST_FAILED);
}

/* Whether t (path: its path and query) may go on, as e (READY or DOWN)
   says; when not, t has failed, kind robots. */
static bool verdict(struct sl_task *t, struct sl_robots_entry *e,
                    const char *path)
{
  struct sl_buf msg = {0};
  const char *rule = NULL, *prod = product_of(e);
  int64_t left;
  int rc;
  if(e->state == RB_READY && sl_robots_allowed(e->rules, path, &rule))
    return true;
  if(e->state == RB_READY)
    rc = sl_buf_printf(&msg,
                       "%s is disallowed by %.*s/robots.txt for "
                       "\"%s\": %s",
                       path, (int)e->origin_len, e->key, *prod ? prod : "*",
                       rule ? rule : "?");
  else {
    left = e->until - sl_loop_now(t->ctx->loop);
    rc =
        sl_buf_printf(&msg,
                      "%.*s/robots.txt is unreachable (%s): every "
                      "path is disallowed for %lld s more",
                      (int)e->origin_len, e->key, e->why.p ? e->why.p : "?",
                      (long long)((left + SL_NS_PER_SEC - 1) / SL_NS_PER_SEC));
  }
  fail(t, rc ? SL_ERR_INTERNAL : SL_ERR_ROBOTS, rc ? "out of memory" : msg.p);
  sl_buf_free(&msg);
  return false;
}

/* The way on for t, which waited for e's answer. */
static void go_on(struct sl_task *t, struct sl_robots_entry *e)
{
  struct sl_buf origin = {0}, path = {0};
  int rc = url_parts(t, &origin, &path);
  if(rc < 0)
    fail(t, SL_ERR_INTERNAL, "out of memory");
  else if(rc > 0 || verdict(t, e, path.p))
    sl__admit_name(t);
  sl_buf_free(&origin);
  sl_buf_free(&path);
}

/* e is DOWN: rt's outcome (status or error) says why, and the backoff
   doubles with each unreachable answer in a row, up to the TTL. */
static void set_down(struct sl_robots_entry *e, struct sl_robots_cache *c,
                     long status, const struct sl_error *err, int64_t now)
{
  int64_t wait = c->retry;
  for(unsigned i = 0; i < e->down && wait < TTL; i++)
    wait *= 2;
  e->down++;
  e->state = RB_DOWN;
  e->until = now + (wait < TTL ? wait : TTL);
  sl_buf_reset(&e->why, 256);
  if(status)
    sl_buf_printf(&e->why, "status %ld", status);
  else
    sl_buf_printf(&e->why, "%s: %s",
                  err ? sl_error_kind_name(err->kind) : "internal",
                  err ? err->message : "out of memory");
}

/* What rt's outcome means for e (RFC 9309 2.3.1): its rules, every path
   allowed, or DOWN. */
static void settle(struct sl_robots_entry *e, sl_task *rt, int64_t now)
{
  const struct sl_response *r = NULL;
  const struct sl_error *err = NULL;
  long st;
  sl_task_response(rt, &r);
  sl_task_error(rt, &err);
  st = r ? r->status : 0;
  sl_robots_free(e->rules);
  e->rules = NULL;
  /* a body over 512 KiB is read as far as that (too_large) */
  if(err && err->kind != SL_ERR_TOO_LARGE)
    st = 0;
  if(st >= 200 && st < 300)
    e->rules =
        sl_robots_parse(r->body ? r->body : "", r->body_len, product_of(e));
  else if((st >= 300 && st < 500 && st != 429) ||
          (err && err->kind == SL_ERR_REDIRECT))
    e->rules = sl_robots_allow_all(); /* "unavailable" */
  if(e->rules) {
    e->state = RB_READY;
    e->until = now + TTL;
    e->down = 0;
  } else /* 429, 5xx, no answer: "unreachable"; or out of memory */
    set_down(e, rt->ctx->robots, st, err, now);
}

/* The internal task is done: e's answer is in; its waiters go on. */
static void fetched(sl_task *rt, void *ud)
{
  struct sl_robots_entry *e = ud;
  struct sl_task *t;
  if(rt->ctx->tasks.closing) { /* its waiters were cancelled */
    e->state = RB_NEW;
    return;
  }
  settle(e, rt, sl_loop_now(rt->ctx->loop));
  while((t = e->wait)) { /* one at a time: a failure may cancel others */
    SL_LIST_REMOVE(e->wait, e->wait_tail, t, rb_prev, rb_next);
    go_on(t, e);
  }
}

/* Starts e's internal task, with t's User-Agent; false when memory ran
   out. */
static bool fetch(struct sl_robots_entry *e, struct sl_task *t)
{
  struct sl_request req = {0};
  struct sl_buf url = {0};
  sl_task *rt = NULL;
  if(!sl_buf_printf(&url, "%.*s/robots.txt", (int)e->origin_len, e->key)) {
    req.url = url.p;
    req.flags = SL_REQ_BUFFER_BODY | SL_REQ_FOLLOW_REDIRECTS;
    req.max_redirects = MAX_REDIRECTS;
    req.max_body = SL_ROBOTS_MAX_BYTES;
    req.timeout_ms = t->ctx->robots->timeout_ms;
    req.priority = INT_MIN; /* ahead of every task it holds up */
    req.user_agent = sl__reqx_user_agent(&t->rx, &t->ctx->xfer.hdrs);
    rt = sl__fetch(t->ctx, &req, NULL);
  }
  sl_buf_free(&url);
  if(!rt)
    return false;
  rt->no_robots = true;
  if(sl_task_set_name(rt, "robots.txt") || sl_task_on_done(rt, fetched, e)) {
    sl_task_cancel(rt, NULL);
    sl_task_free(rt);
    return false;
  }
  sl_task_free(rt); /* detached: it runs on, and so does its callback */
  e->state = RB_FETCHING;
  return true;
}

bool sl__robots_admit(struct sl_task *t)
{
  struct sl_robots_cache *c = t->ctx->robots;
  struct sl_buf origin = {0}, path = {0};
  struct sl_robots_entry *e = NULL;
  int64_t now = sl_loop_now(t->ctx->loop);
  bool go = false;
  int rc;
  if(!c || t->no_robots)
    return true;
  rc = url_parts(t, &origin, &path);
  if(rc > 0)
    go = true;
  else if(rc < 0 || !(e = entry_get(c, &origin, t)))
    fail(t, SL_ERR_INTERNAL, "out of memory");
  else {
    t->robots = e;
    if((e->state == RB_NEW || (e->state != RB_FETCHING && now >= e->until)) &&
       !fetch(e, t))
      fail(t, SL_ERR_INTERNAL, "out of memory");
    else if(e->state == RB_FETCHING) {
      SL_LIST_APPEND(e->wait, e->wait_tail, t, rb_prev, rb_next);
      sl__task_stage(t, SL_ST_ROBOTS);
    } else
      go = verdict(t, e, path.p);
  }
  sl_buf_free(&origin);
  sl_buf_free(&path);
  return go;
}

void sl__robots_leave(struct sl_task *t)
{
  struct sl_robots_entry *e = t->robots;
  if(e && (t->rb_prev || e->wait == t))
    SL_LIST_REMOVE(e->wait, e->wait_tail, t, rb_prev, rb_next);
}

void sl__robots_host(struct sl_task *t)
{
  struct sl_robots_entry *e = t->robots;
  double d = e && e->state == RB_READY ? sl_robots_crawl_delay(e->rules) : -1;
  if(d > 0)
    sl__polite_crawl_delay(t, (int64_t)(d * (double)SL_NS_PER_SEC));
}
