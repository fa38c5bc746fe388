/*
 * dns.c - the name cache's figures, rerunnable: 10 000 URLs over 100
 * host names resolved through sluice-fixture's DNS responder.  Prints
 * the DNS queries the server answered (A and AAAA, counted by the
 * fixture), the resolution time each request waited (median, p99, and
 * the median of the first request per name, which is the one that pays),
 * and the wall time against the same run with fixed answers (no DNS).
 *
 * usage: bench-dns SLUICE_FIXTURE [urls] [names]
 */
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"
#include "support/fixture_proc.h"

struct run {
  double *dns_ms;
  int n, ok;
};

static void on_done(sl_task *t, void *ud)
{
  struct run *r = ud;
  const struct sl_response *resp;
  if(sl_task_response(t, &resp) == SL_OK && resp->status == 200) {
    r->dns_ms[r->n++] = resp->timing.dns_ms;
    r->ok++;
  }
  sl_task_free(t);
}

static int cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double run(const struct fixture *fx, int urls, int names,
                  const char *servers, const char *const *resolve,
                  struct run *r)
{
  struct sl_options o = {0};
  double t0;
  sl_ctx *ctx;
  char url[128];
  o.max_concurrency = 64;
  o.per_host = 64;
  o.dns_servers = servers;
  o.resolve = resolve;
  ctx = sl_ctx_new(&o);
  if(!ctx)
    return -1;
  t0 = ev_time();
  for(int i = 0; i < urls; i++) {
    struct sl_request q = {0};
    snprintf(url, sizeof(url), "http://h%d.test:%d/bytes/100?i=%d", i % names,
             fx->port, i);
    q.url = url;
    sl_task_on_done(sl_fetch(ctx, &q), on_done, r);
  }
  sl_run(ctx);
  t0 = ev_time() - t0;
  sl_ctx_free(ctx);
  return t0;
}

int main(int argc, char **argv)
{
  static const char *const zone[] = {"--zone", ".test=127.0.0.1,60", NULL};
  struct fixture fx;
  int urls = argc > 2 ? atoi(argv[2]) : 10000;
  int names = argc > 3 ? atoi(argv[3]) : 100;
  struct run dns = {0}, fixed = {0};
  char servers[64], **res;
  double t_dns, t_fixed, *first;
  long queries = 0;

  if(argc < 2) {
    fprintf(stderr, "usage: %s SLUICE_FIXTURE [urls] [names]\n", argv[0]);
    return 2;
  }
  if(fixture_start_dns(&fx, argv[1], 300, zone))
    return 1;
  snprintf(servers, sizeof(servers), "127.0.0.1:%d", fx.dns_port);
  dns.dns_ms = calloc((size_t)urls, sizeof(double));
  fixed.dns_ms = calloc((size_t)urls, sizeof(double));
  first = calloc((size_t)names, sizeof(double));
  res = calloc((size_t)names + 1, sizeof(char *));
  for(int i = 0; i < names; i++) {
    res[i] = malloc(64);
    snprintf(res[i], 64, "h%d.test:%d:127.0.0.1", i, fx.port);
  }
  /* a warm-up run first, so neither measured run pays for cold caches */
  {
    struct run warm = {0};
    warm.dns_ms = calloc((size_t)urls, sizeof(double));
    run(&fx, urls, names, "127.0.0.1:9", (const char *const *)res, &warm);
    free(warm.dns_ms);
  }
  fixture_reset(&fx);
  t_dns = run(&fx, urls, names, servers, NULL, &dns);
  for(int i = 0; i < names; i++) {
    char name[32];
    snprintf(name, sizeof(name), "h%d.test", i);
    queries += fixture_dns_queries(&fx, name, "A") +
               fixture_dns_queries(&fx, name, "AAAA");
  }
  t_fixed =
      run(&fx, urls, names, "127.0.0.1:9", (const char *const *)res, &fixed);
  /* the slowest `names` waits are the first request of each name */
  qsort(dns.dns_ms, (size_t)dns.n, sizeof(double), cmp);
  memcpy(first, dns.dns_ms + dns.n - names, (size_t)names * sizeof(double));
  printf("%d URLs over %d names: %ld DNS queries answered by the fixture "
         "(%ld per name: A + AAAA), %d/%d ok\n",
         urls, names, queries, queries / names, dns.ok, urls);
  printf("resolution wait per request: median %.3f ms, p99 %.3f ms; "
         "first request of a name: median %.3f ms, worst %.3f ms\n",
         dns.dns_ms[dns.n / 2], dns.dns_ms[dns.n * 99 / 100], first[names / 2],
         first[names - 1]);
  printf("wall: %.3f s with DNS, %.3f s with fixed answers (ratio %.2f)\n",
         t_dns, t_fixed, t_dns / t_fixed);
  for(int i = 0; i < names; i++)
    free(res[i]);
  free(res);
  free(first);
  free(dns.dns_ms);
  free(fixed.dns_ms);
  fixture_stop(&fx);
  return dns.ok == urls && fixed.ok == urls ? 0 : 1;
}
