/*
 * test_crawl.c - a breadth-first crawler written with sluice.h alone, as
 * issue 14's closing note shows it (its core is crawl_page() and
 * crawl_add() below), against a link graph that sluice-fixture serves on
 * three host names: three sites of 20 pages each, whose links are spelt
 * every way a page spells them (relative, "./", absolute, upper case,
 * dot segments, fragments), one of them through a redirect (to the
 * page's alias "N?r": the hop goes back through the host's limit, where
 * FIFO would put it behind deeper pages), with links to other sites (not
 * followed), a mailto link, a PDF (declined from its headers) and a page
 * that is not there (a 404 the crawl tolerates).  Asserted from the
 * fixture's journal: every URL fetched exactly once, and on each host,
 * one transfer at a time, pages in breadth-first order (the depth the
 * test works out from the graph never goes down; with every priority 0
 * it does).
 *
 * argv[1] is the sluice-fixture binary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"
#include "support/harness.h"

static struct fixture fx; /* with the zone below */
static const char *const zone[] = {"--zone", ".test=127.0.0.1,60", NULL};

enum { SITES = 3, PAGES = 20, MAX_URLS = 256 };
static const char *const site[SITES] = {"a", "b", "c"};

/* ---- the crawler ------------------------------------------------------- */

struct crawl {
  sl_ctx *ctx;
  sl_queue *q;
  struct sl_request req; /* every page's settings */
  char *seen[MAX_URLS];  /* normalised URLs put in the queue */
  int nseen, pages;
};

/* A page that is not HTML: declined before any of its body comes. */
static const char *only_html(sl_task *t, const struct sl_response_head *h,
                             void *ud)
{
  (void)t;
  (void)ud;
  if(h->status != 200 ||
     (h->content_type && !strncmp(h->content_type, "text/html", 9)))
    return NULL;
  return "not HTML";
}

static bool seen_add(struct crawl *c, const char *url)
{
  for(int i = 0; i < c->nseen; i++)
    if(!strcmp(c->seen[i], url))
      return false;
  assert_true(c->nseen < MAX_URLS);
  c->seen[c->nseen++] = strdup(url);
  return true;
}

/* A link found on a page of depth-1: fetched once, if on the same site. */
static void crawl_add(struct crawl *c, const char *page, const char *href,
                      int depth)
{
  char url[2048];
  struct sl_request req = c->req;
  int n = sl_url_resolve(page, href, url, sizeof(url));
  if(n < 0 || n >= (int)sizeof(url) || !sl_url_same_site(page, url) ||
     !seen_add(c, url))
    return;
  req.url = url;
  req.priority = depth; /* breadth first, at the queue and every limit */
  req.userdata = (void *)(intptr_t)depth;
  sl_queue_put(c->q, &req);
}

/* A page done: its links go into the queue. */
static void crawl_page(sl_queue *q, sl_task *t, void *ud)
{
  struct crawl *c = ud;
  const struct sl_response *r;
  const char *p;
  (void)q;
  if(sl_task_state(t) != SL_DONE || sl_task_response(t, &r) != SL_OK ||
     r->status != 200)
    return;
  c->pages++;
  for(p = r->body; (p = strstr(p, "href=\"")); p++) {
    char href[512];
    size_t n = strcspn(p + 6, "\"");
    snprintf(href, sizeof(href), "%.*s", (int)n, p + 6);
    crawl_add(c, r->effective_url, href,
              (int)(intptr_t)sl_task_userdata(t) + 1);
  }
}

/* ---- the link graph ---------------------------------------------------- */

/* The pages page i of a site links to, on its own site. */
static int link_of(int i, int k)
{
  static const int step[] = {1, 3, 7, 11};
  return (i * step[k] + k + 1) % PAGES;
}

/* Page i of site s, its links spelt four ways, plus links not followed
   or not pages. */
static void add_page(int s, int i)
{
  char body[1500], stub[2000];
  int n = 0;
  const char *h = site[s];
  n += snprintf(body + n, sizeof(body) - (size_t)n,
                "<a href=\\\"r/%d\\\">a</a> <a href=\\\"./%d#top\\\">b</a> "
                "<a href=\\\"/%s/%d\\\">c</a> "
                "<a href=\\\"HTTP://%s.TEST:%d/%s/x/../%d\\\">d</a> ",
                link_of(i, 0), link_of(i, 1), h, link_of(i, 2), h, fx.port, h,
                link_of(i, 3));
  n += snprintf(body + n, sizeof(body) - (size_t)n,
                "<a href=\\\"http://%s.test:%d/%s/%d\\\">other site</a> "
                "<a href=\\\"mailto:x@%s.test\\\">m</a> "
                "<a href=\\\"doc.pdf\\\">pdf</a> <a href=\\\"gone\\\">404</a>",
                site[(s + 1) % SITES], fx.port, site[(s + 1) % SITES], i, h);
  snprintf(stub, sizeof(stub),
           "{\"path\": \"/%s/%d\", \"headers\": {\"Content-Type\": "
           "\"text/html\"}, \"body\": \"%s\"}",
           h, i, body);
  assert_int_equal(fixture_add_route(&fx, stub), 0);
}

/* A node of the graph: page i (< PAGES) or its alias i?r (i + PAGES),
   reached through r/i: the first link of every page. */
static int target(int from, int k)
{
  return link_of(from % PAGES, k) + (k ? 0 : PAGES);
}

/* r/i on site s: a redirect to i's alias, i?r. */
static void add_redirect(int s, int i)
{
  char stub[300];
  snprintf(stub, sizeof(stub),
           "{\"path\": \"/%s/r/%d\", \"status\": 302, \"headers\": "
           "{\"Location\": \"/%s/%d?r\"}}",
           site[s], i, site[s], i);
  assert_int_equal(fixture_add_route(&fx, stub), 0);
}

/* Breadth-first depths of a site's nodes from page 0 (-1: not reached);
   returns how many are reached. */
static int depths(int *d)
{
  int queue[2 * PAGES], head = 0, tail = 0;
  for(int i = 0; i < 2 * PAGES; i++)
    d[i] = -1;
  d[0] = 0;
  queue[tail++] = 0;
  while(head < tail) {
    int u = queue[head++];
    for(int k = 0; k < 4; k++)
      if(d[target(u, k)] < 0) {
        d[target(u, k)] = d[u] + 1;
        queue[tail++] = target(u, k);
      }
  }
  return tail;
}

/* The node of a journaled path of site s ("/a/r/5", "/a/5?r": 25), or
   -1 for one that is not a page. */
static int node_of(const char *path)
{
  int i;
  char more = 0;
  if(sscanf(path + 3, "r/%d", &i) == 1)
    return i + PAGES;
  if(sscanf(path + 3, "%d%c", &i, &more) >= 1)
    return i + (more == '?' ? PAGES : 0);
  return -1;
}

static void check_site(int s, const int *d, int reached)
{
  static char paths[MAX_URLS][FIXTURE_PATH_MAX];
  char prefix[8];
  int count[2 * PAGES] = {0}, last = 0, redirects = 0;
  long n;
  snprintf(prefix, sizeof(prefix), "/%s/", site[s]);
  n = fixture_paths(&fx, prefix, paths, MAX_URLS);
  for(long k = 0; k < n; k++) {
    int u = node_of(paths[k]);
    if(u < 0)
      continue;
    redirects += paths[k][3] == 'r';
    count[u] += paths[k][3] != 'r';
    assert_true(d[u] >= last); /* breadth first on this host */
    last = d[u];
  }
  /* every node reached once, each alias through one redirect, the PDF
     (declined) and the missing page once */
  assert_int_equal(n, reached + redirects + 2);
  for(int u = 0; u < 2 * PAGES; u++)
    assert_int_equal(count[u], d[u] >= 0);
}

static void test_breadth_first_crawl(void **state)
{
  struct sl_options o = {0};
  struct sl_queue_options qo = {0};
  struct sl_group_policy tolerant = {SIZE_MAX, true, 8};
  struct crawl c = {0};
  sl_group *g;
  int d[2 * PAGES], reached;
  (void)state;
  assert_int_equal(fixture_journal_reset(&fx), 0);
  for(int s = 0; s < SITES; s++) {
    char pdf[200];
    snprintf(pdf, sizeof(pdf),
             "{\"path\": \"/%s/doc.pdf\", \"headers\": {\"Content-Type\": "
             "\"application/pdf\"}, \"body\": \"%%PDF-1.4\"}",
             site[s]);
    assert_int_equal(fixture_add_route(&fx, pdf), 0);
    for(int i = 0; i < PAGES; i++) {
      add_page(s, i);
      add_redirect(s, i);
    }
  }
  o.dns_servers = fx.dns_server;
  o.max_concurrency = 8;
  o.per_host = 1; /* each host's limit binds: its pages wait there */
  c.ctx = sl_ctx_new(&o);
  g = sl_group_new(c.ctx, NULL, 30000);
  sl_group_set_policy(g, &tolerant);
  c.req.flags = SL_REQ_BUFFER_BODY | SL_REQ_FOLLOW_REDIRECTS;
  c.req.max_body = 1 << 20;
  c.req.try_timeout_ms = 5000;
  c.req.on_headers = only_html;
  qo.group = g;
  qo.on_done = crawl_page;
  qo.ud = &c;
  c.q = sl_queue_new(c.ctx, &qo);
  for(int s = 0; s < SITES; s++) {
    char seed[128];
    snprintf(seed, sizeof(seed), "http://%s.test:%d/%s/0", site[s], fx.port,
             site[s]);
    crawl_add(&c, seed, seed, 0);
  }
  assert_int_equal(sl_queue_join(c.q), SL_OK);
  reached = depths(d);
  assert_int_equal(c.pages, SITES * reached);
  assert_int_equal(sl_group_failures(g), SITES); /* the three 404s */
  for(int s = 0; s < SITES; s++)
    check_site(s, d, reached);
  for(int i = 0; i < c.nseen; i++)
    free(c.seen[i]);
  sl_queue_free(c.q);
  sl_group_free(g);
  sl_ctx_free(c.ctx);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_breadth_first_crawl),
  };
  static const struct harness h = {.fx = &fx, .dns_args = zone};
  return harness_main(argc, argv, tests, &h);
}
