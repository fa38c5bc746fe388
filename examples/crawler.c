/*
 * crawler.c - a breadth-first crawler on libsluice, in one file.
 *   crawler [-d DEPTH] [-p PER_HOST] [-g GLOBAL] [--robots] [-A AGENT] URL...
 * The URLs' sites are crawled level by level down to DEPTH (2): each page
 * once, at its breadth-first depth, through the same-site href links of
 * HTML pages (a redirect's target at the redirect's depth).  Stdout:
 * "DEPTH STATUS URL BYTES" per page fetched.  PER_HOST transfers per host
 * (2), GLOBAL in all (16); --robots obeys robots.txt for AGENT.
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
  int depth;   /* of that level */
  char **next; /* the next level's URLs (seen's copies) */
  size_t len;
};

static void *seen; /* the URLs put in a queue (tsearch) */
static int max_depth = 2;

/* Only HTML is read: anything else is declined before its body. */
static const char *html_only(sl_task *t, const struct sl_response_head *h,
                             void *ud)
{
  const char *ty = h->content_type ? h->content_type : "text/html";
  (void)t, (void)ud;
  return h->status == 200 && strncasecmp(ty, "text/html", 9) ? "not HTML" : 0;
}

/* What every page's request says (its url set at each put, then copied). */
static struct sl_request page = {.flags = SL_REQ_BUFFER_BODY,
                                 .max_body = 4 << 20,
                                 .timeout_ms = 30000,
                                 .on_headers = html_only};

static int cmp(const void *a, const void *b)
{
  return strcmp(a, b);
}

/* ref (an href, a Location, a seed) resolved against base: a URL of base's
   site not seen before goes into st's next level, or with now into this
   one (a redirect's target).  Whether ref is a URL of base's site. */
static bool add(struct site *st, const char *base, const char *ref, bool now)
{
  char url[2048], *copy, **at, **more;
  if((unsigned)sl_url_resolve(base, ref, url, sizeof(url)) >= sizeof(url) ||
     !sl_url_same_site(base, url))
    return false; /* not a URL (of that site), or too long */
  at = (copy = strdup(url)) ? tsearch(copy, &seen, cmp) : NULL;
  if(!at || *at != copy)
    free(copy); /* seen (or out of memory) */
  else if(now && (page.url = url))
    sl_queue_put(st->q, &page); /* copies it */
  else if((more = realloc(st->next, (st->len + 1) * sizeof(*more))))
    (st->next = more)[st->len++] = copy;
  return true;
}

/* Decodes character references in place: &amp; &lt; &gt; &quot; &apos;
   and those by number (&#47; &#x2F;, UTF-8 past ASCII); others stay. */
static void decode(char *s)
{
  static const char *nm[] = {"amp;&", "lt;<", "gt;>", "quot;\"", "apos;'"};
  char *o = s, *e = s;
  for(size_t n; *s; s += n ? n : 1) {
    bool hex = s[1] == '#' && (s[2] | 0x20) == 'x';
    long v = strncmp(s, "&#", 2) ? 0 : strtol(s + 2 + hex, &e, hex ? 16 : 10);
    int k = (v >= 0x80) + (v >= 0x800) + (v >= 0x10000); /* bytes more */
    n = v > 0 && v < 0x110000 && *e == ';' ? (size_t)(e + 1 - s) : 0;
    for(int i = 0; i < 5 && !n; i++)
      if(*s == '&' && !strncmp(s + 1, nm[i], strlen(nm[i]) - 1))
        v = nm[i][(n = strlen(nm[i])) - 1];
    for(int i = k; n && i > 0; i--) /* UTF-8: lead byte, 6 bits a byte */
      *o++ = (char)((i == k ? 0xF0E0C000u >> 8 * k & 0xFF : 0x80) |
                    (v >> 6 * i & 0x3F));
    *o++ = !n ? *s : k ? (char)(0x80 | (v & 0x3F)) : (char)v;
  }
  *o = '\0';
}

/* The same-site links of an HTML page: its href attributes, their values
   quoted either way or not at all. */
static void links(struct site *st, const char *base, const char *body)
{
  for(const char *p = body; (p = strcasestr(p, "href")); p += 4) {
    const char *v = p + 4 + strspn(p + 4, " \t\r\n\f");
    char href[2048], q[2] = "";
    size_t n;
    if(p == body || !strchr(" \t\r\n\f", p[-1]) || *v != '=')
      continue; /* not an attribute of that name */
    v += 1 + strspn(v + 1, " \t\r\n\f");
    q[0] = *v == '"' || *v == '\'' ? *v++ : '\0';
    n = strcspn(v, *q ? q : " \t\r\n\f>");
    if(n >= sizeof(href) || (*q && !v[n]))
      continue; /* too long, or its quote not closed */
    snprintf(href, sizeof(href), "%.*s", (int)n, v);
    decode(href);
    add(st, base, href, false);
  }
}

/* A page is done (the queue's on_done): its links go into the next
   level; where it redirects (same site), into this one. */
static void page_done(sl_queue *q, sl_task *t, void *ud)
{
  struct site *st = ud;
  const struct sl_response *r;
  const struct sl_error *e;
  const char *u = sl_task_url(t);
  (void)q;
  if(sl_task_response(t, &r) == SL_OK) {
    printf("%d %ld %s %llu\n", st->depth, r->status, u,
           (unsigned long long)r->bytes);
    if(r->redirect_url)
      add(st, u, r->redirect_url, true);
    if(sl_task_state(t) == SL_DONE && r->status == 200 &&
       st->depth < max_depth)
      links(st, u, r->body);
  } else if(sl_task_error(t, &e) == SL_OK && e)
    fprintf(stderr, "crawler: %s: %s: %s\n", u, sl_error_kind_name(e->kind),
            e->message);
}

/* A level is done (the queue's on_join): the next one goes in. */
static void level_done(sl_queue *q, void *ud)
{
  struct site *st = ud;
  size_t f = sl_group_failures(st->g);
  if(f > MAX_FAILS)
    fprintf(stderr, "crawler: %s: given up after %zu failures\n", st->seed, f);
  st->depth++;
  for(size_t i = 0; f <= MAX_FAILS && i < st->len; i++)
    sl_queue_put(q, (page.url = st->next[i], &page)); /* copied */
  st->len = 0;
}

int main(int argc, char **argv)
{
  static const struct option longs[] = {{"robots", 0, NULL, 'r'}, {0}};
  struct sl_options o = {.max_concurrency = 16, .per_host = 2, .quiet = 1};
  struct sl_queue_options qo = {.on_done = page_done, .on_join = level_done};
  struct site *sites;
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
     !(sites = calloc((size_t)(argc - optind), sizeof(*sites))))
    return perror("crawler"), 1;
  for(int i = optind; i < argc; i++) { /* the seeds: depth 0 */
    struct site *st = sites;
    while(st < sites + n && !sl_url_same_site(st->seed, argv[i]))
      st++; /* one breadth-first crawl for a site's seeds */
    if(st == sites + n && (qo.ud = st = &sites[n++])) {
      st->seed = argv[i];
      st->g = qo.group = sl_group_new(ctx, NULL, 0);
      sl_group_set_policy(st->g, &(struct sl_group_policy){MAX_FAILS, 0, 0});
      st->q = sl_queue_new(ctx, &qo);
    }
    if(!add(st, argv[i], argv[i], true))
      fprintf(stderr, "crawler: %s: not an http(s) URL\n", argv[i]);
  }
  sl_run(ctx);
  sl_ctx_free(ctx); /* with the queues and groups */
  for(int i = 0; i < n; i++)
    free(sites[i].next);
  tdestroy(seen, free);
  free(sites);
} /* 0: the pages' own failures are on the lines and on stderr */
