/*
 * summary.c - counts outcomes and tells what a run came to.
 *
 * The summary goes to stderr so that stdout stays pure JSON Lines; it is
 * a few lines a person can read at a glance and a script can still grep
 * ("sluice: N URLs in ..." first).  Everything in it is counted from the
 * records as they are written, in constant memory: the latency
 * percentiles come from a log-linear histogram (base/hist.h, within
 * 0.8 %), the worst hosts from a bounded top-k (tophosts.c).  Requests
 * per second counts requests sent (attempts), not URLs: a URL that was
 * never sent (a bad URL, a name that did not resolve) adds none.
 */
#include "summary.h"

#include <inttypes.h>
#include <string.h>

#include "base/json.h"

/* Failing hosts named on stderr. */
#define TOP_PRINT 5

const char *const summary_class_names[6] = {"other", "1xx", "2xx",
                                            "3xx",   "4xx", "5xx"};
const double summary_quantiles[3] = {0.5, 0.9, 0.99};
const char *const summary_quantile_names[3] = {"p50", "p90", "p99"};

void summary_init(struct summary *s)
{
  memset(s, 0, sizeof(*s));
  sl_hist_init(&s->latency);
  tophosts_init(&s->hosts);
}

void summary_free(struct summary *s)
{
  tophosts_free(&s->hosts);
}

void summary_add(struct summary *s, const struct record *r, int kind)
{
  s->urls++;
  s->bytes += r->bytes;
  s->requests += r->attempts;
  s->retries += r->attempts > 1 ? r->attempts - 1 : 0;
  if(r->has_status) {
    s->by_class[r->status >= 100 && r->status < 600 ? r->status / 100 : 0]++;
  }
  if(r->has_time) {
    sl_hist_add(&s->latency, (uint64_t)(r->time_ms * 1000.0 + 0.5));
  }
  if(r->ok) {
    s->ok++;
    return;
  }
  tophosts_add(&s->hosts, r->url, r->url_len);
  if(!r->error_kind) {
    s->http_errors++;
    return;
  }
  if(kind < 0 || kind >= SUMMARY_KINDS) {
    kind = SUMMARY_KINDS - 1;
  }
  s->failed++;
  s->by_kind[kind]++;
  if(!s->kind_name[kind]) {
    s->kind_name[kind] = r->error_kind;
  }
}

bool summary_all_ok(const struct summary *s)
{
  return s->ok == s->urls;
}

void summary_bytes(char out[SUMMARY_BYTES_LEN], uint64_t n)
{
  static const char *const units[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
  double v = (double)n;
  int u = -1;

  if(n < 1000) {
    snprintf(out, SUMMARY_BYTES_LEN, "%" PRIu64 " byte%s", n,
             n == 1 ? "" : "s");
    return;
  }
  while(v >= 1000 && u < 5) {
    v /= 1000;
    u++;
  }
  snprintf(out, SUMMARY_BYTES_LEN, "%.1f %s", v, units[u]);
}

/* A latency in microseconds, as people read it: "0.35 ms", "120.4 ms",
   "12.31 s". */
static void print_latency(uint64_t us, FILE *f)
{
  if(us < 10000) {
    fprintf(f, "%.2f ms", (double)us / 1000.0);
  } else if(us < 10000000) {
    fprintf(f, "%.1f ms", (double)us / 1000.0);
  } else {
    fprintf(f, "%.2f s", (double)us / 1e6);
  }
}

/* "sluice: N URLs in T s: ..., failed (kinds); B received" */
static void print_outcomes(const struct summary *s, double wall_s, FILE *f)
{
  char bytes[SUMMARY_BYTES_LEN];
  bool first = true;

  fprintf(f,
          "sluice: %" PRIu64 " URL%s in %.2f s: %" PRIu64 " ok, %" PRIu64
          " http error%s, %" PRIu64 " failed",
          s->urls, s->urls == 1 ? "" : "s", wall_s, s->ok, s->http_errors,
          s->http_errors == 1 ? "" : "s", s->failed);
  if(s->failed) {
    fputs(" (", f);
    for(int k = 0; k < SUMMARY_KINDS; k++) {
      if(s->by_kind[k]) {
        fprintf(f, "%s%s %" PRIu64, first ? "" : ", ", s->kind_name[k],
                s->by_kind[k]);
        first = false;
      }
    }
    fputc(')', f);
  }
  summary_bytes(bytes, s->bytes);
  fprintf(f, "; %s received\n", bytes);
}

/* "sluice: N requests sent (R/s), K retries; responses: 2xx N, ..." */
static void print_requests(const struct summary *s, double wall_s, FILE *f)
{
  bool first = true;

  fprintf(f, "sluice: %" PRIu64 " request%s sent (%.0f/s), %" PRIu64 " retr%s",
          s->requests, s->requests == 1 ? "" : "s",
          wall_s > 0 ? (double)s->requests / wall_s : 0.0, s->retries,
          s->retries == 1 ? "y" : "ies");
  for(int c = 1; c <= 6; c++) {
    int k = c % 6; /* 1xx..5xx, then other */
    if(s->by_class[k]) {
      fprintf(f, "%s%s %" PRIu64, first ? "; responses: " : ", ",
              summary_class_names[k], s->by_class[k]);
      first = false;
    }
  }
  fputc('\n', f);
}

static void print_hosts(const struct summary *s, FILE *f)
{
  const struct tophost *top[TOP_PRINT];
  size_t n = tophosts_top(&s->hosts, top, TOP_PRINT);

  if(!n) {
    return;
  }
  fputs("sluice: most failures:", f);
  for(size_t i = 0; i < n; i++) {
    fprintf(f, "%s %s %s%" PRIu64, i ? "," : "", top[i]->key,
            top[i]->over ? "~" : "", top[i]->count);
  }
  if(s->hosts.estimated) {
    fprintf(f, " (~: estimated, over %d hosts failed)", TOPHOSTS_CAP);
  }
  fputc('\n', f);
}

void summary_print(const struct summary *s, double wall_s, FILE *f)
{
  print_outcomes(s, wall_s, f);
  if(s->skipped) {
    fprintf(f, "sluice: --resume: %" PRIu64 " URL%s had records already\n",
            s->skipped, s->skipped == 1 ? "" : "s");
  }
  if(s->requests || s->urls) {
    print_requests(s, wall_s, f);
  }
  if(s->latency.count) {
    fputs("sluice: latency", f);
    for(int i = 0; i < 3; i++) {
      fprintf(f, "%s %s ", i ? "," : "", summary_quantile_names[i]);
      print_latency(sl_hist_quantile(&s->latency, summary_quantiles[i]), f);
    }
    fputs(", max ", f);
    print_latency(s->latency.max, f);
    fputc('\n', f);
  }
  print_hosts(s, f);
}
