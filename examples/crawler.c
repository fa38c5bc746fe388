/*
 * crawler.c - a breadth-first crawler on libsluice, in one file.
 *   crawler [-d DEPTH] [-p PER_HOST] [-g GLOBAL] [--robots] [-A AGENT] URL...
 * Each URL's site is crawled level by level down to DEPTH (2): each page
 * once, at its breadth-first depth, through the same-site href links of
 * HTML pages.  Stdout: "DEPTH STATUS URL BYTES" per page fetched.  PER_HOST
 * transfers per host (2), GLOBAL in all (16); --robots obeys robots.txt for
 * AGENT; a site is given up after 8 failures.
 * Build: cc crawler.c $(pkg-config --cflags --libs sluice) -o crawler
 */
#define _GNU_SOURCE /* strcasestr, tdestroy */
#include <getopt.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sluice.h>

#define MAX_FAILS 8 /* a site's failures (no answer) before it is given up */

struct site {
  sl_queue *q; /* the pages of the level being fetched */
  sl_group *g; /* every page of the site: its failure policy */
  const char *seed;
  int depth;  /* of that level */
  char *next; /* the next level's URLs, each with its NUL */
  size_t len;
};

static void *seen;                 /* the URLs put in a queue (tsearch) */
static struct sl_request page_req; /* what every page's request says */
static int max_depth = 2;

static int cmp(const void *a, const void *b)
{
  return strcmp(a, b);
}

/* A URL not seen before is kept, and goes into st's next level (st NULL:
   it is only kept). */
static void add(struct site *st, const char *url)
{
  size_t n = strlen(url) + 1;
  char *copy = strdup(url), **at = copy ? tsearch(copy, &seen, cmp) : NULL;
  char *more;
  if(!at || *at != copy)
    free(copy); /* seen (or out of memory) */
  else if(st && (more = realloc(st->next, st->len + n))) {
    memcpy(more + st->len, url, n);
    st->next = more;
    st->len += n;
  }
}

/* Decodes character references in place: &amp; &lt; &gt; &quot; &apos;
   and those in ASCII by number (&#47; &#x2F;); others stay as written. */
static void decode(char *s)
{
  static const char *const named[] = {"&amp;&", "&lt;<", "&gt;>", "&quot;\"",
                                      "&apos;'"};
  char *o = s, *end = s;
  for(size_t n; *s; s += n ? n : 1) {
    bool hex = s[1] == '#' && s[2] == 'x';
    long v =
        strncmp(s, "&#", 2) ? 0 : strtol(s + 2 + hex, &end, hex ? 16 : 10);
    n = v > 0 && v < 128 && *end == ';' ? (size_t)(end + 1 - s) : 0;
    for(int i = 0; i < 5 && !n; i++)
      if(!strncmp(s, named[i], strlen(named[i]) - 1))
        v = named[i][n = strlen(named[i]) - 1];
    *o++ = n ? (char)v : *s;
  }
  *o = '\0';
}

/* The same-site href links of an HTML page. */
static void links(struct site *st, const char *page, const char *body)
{
  static const char *const forms[] = {"\"%2047[^\"]\"%n", "'%2047[^']'%n",
                                      "%2047[^ \t\r\n>]%n"};
  for(const char *p = body; (p = strcasestr(p, "href=")); p += 5) {
    char href[2048], url[2048];
    int m, k = 0; /* k: the value's end was found */
    for(int i = 0; i < 3 && !k; i++)
      sscanf(p + 5, forms[i], href, &k);
    if(!k)
      continue;
    decode(href);
    m = sl_url_resolve(page, href, url, sizeof(url)); /* normalised */
    if(m >= 0 && m < (int)sizeof(url) && sl_url_same_site(page, url))
      add(st, url);
  }
}

/* Only HTML is read: anything else is declined before its body. */
static const char *html_only(sl_task *t, const struct sl_response_head *h,
                             void *ud)
{
  const char *type = h->content_type ? h->content_type : "text/html";
  (void)t, (void)ud;
  return h->status == 200 && strncasecmp(type, "text/html", 9) ? "not HTML"
                                                               : NULL;
}

/* A page is done (the queue's on_done). */
static void page_done(sl_queue *q, sl_task *t, void *ud)
{
  struct site *st = ud;
  const struct sl_response *r;
  const struct sl_error *e;
  char url[2048];
  (void)q;
  if(sl_task_response(t, &r) == SL_OK) {
    printf("%d %ld %s %llu\n", st->depth, r->status, sl_task_url(t),
           (unsigned long long)r->bytes);
    if(sl_url_normalize(r->effective_url, url, sizeof(url)) > 0)
      add(NULL, url); /* where a redirect led: fetched too */
    if(sl_task_state(t) == SL_DONE && r->status == 200 &&
       st->depth < max_depth)
      links(st, r->effective_url, r->body);
  } else if(sl_task_error(t, &e) == SL_OK && e)
    fprintf(stderr, "crawler: %s: %s: %s\n", sl_task_url(t),
            sl_error_kind_name(e->kind), e->message);
}

/* A level is done (the queue's on_join): the next one goes in. */
static void level_done(sl_queue *q, void *ud)
{
  struct site *st = ud;
  size_t fails = sl_group_failures(st->g);
  if(fails > MAX_FAILS)
    fprintf(stderr, "crawler: %s: given up after %zu failures\n", st->seed,
            fails);
  st->depth++;
  for(char *u = st->next; fails <= MAX_FAILS && u < st->next + st->len;
      u += strlen(u) + 1) {
    struct sl_request req = page_req;
    req.url = u;
    sl_queue_put(q, &req); /* copies it */
  }
  st->len = 0;
}

int main(int argc, char **argv)
{
  static const struct option longs[] = {{"robots", 0, NULL, 'r'}, {0}};
  struct sl_options o = {.max_concurrency = 16, .per_host = 2, .quiet = 1};
  struct site *sites;
  char url[2048];
  int c, n = 0;
  sl_ctx *ctx;
  while((c = getopt_long(argc, argv, "d:p:g:A:", longs, NULL)) != -1) {
    long v = optarg ? strtol(optarg, NULL, 10) : 0;
    if(c == 'd' && v >= 0)
      max_depth = (int)v;
    else if((c == 'p' || c == 'g') && v > 0)
      *(c == 'p' ? &o.per_host : &o.max_concurrency) = (unsigned)v;
    else if(c == 'A')
      o.user_agent = optarg;
    else if(c == 'r')
      o.robots = true;
    else
      break;
  }
  if(optind >= argc || c != -1) {
    fprintf(stderr, "usage: crawler [-d DEPTH] [-p PER_HOST] [-g GLOBAL] "
                    "[--robots] [-A AGENT] URL...\n");
    return 2;
  }
  if(!(ctx = sl_ctx_new(&o)) ||
     !(sites = calloc((size_t)(n = argc - optind), sizeof(*sites)))) {
    perror("crawler");
    return 1;
  }
  page_req.flags = SL_REQ_BUFFER_BODY | SL_REQ_FOLLOW_REDIRECTS;
  page_req.max_body = 4 << 20;
  page_req.timeout_ms = 30000;
  page_req.on_headers = html_only;
  for(int i = 0; i < n; i++) {
    struct site *st = &sites[i];
    struct sl_queue_options qo = {
        .on_done = page_done, .on_join = level_done, .ud = st};
    st->seed = argv[optind + i];
    st->depth = -1;
    st->g = qo.group = sl_group_new(ctx, NULL, 0);
    sl_group_set_policy(st->g, &(struct sl_group_policy){MAX_FAILS, 0, 0});
    st->q = sl_queue_new(ctx, &qo);
    /* not a URL: the library says why, as for any page */
    add(st, sl_url_normalize(st->seed, url, sizeof(url)) > 0 ? url : st->seed);
    level_done(st->q, st); /* the seed, at depth 0 */
  }
  sl_run(ctx);
  sl_ctx_free(ctx); /* with the queues and groups */
  for(int i = 0; i < n; i++)
    free(sites[i].next);
  tdestroy(seen, free);
  free(sites);
  return 0;
}
