/*
 * sumjson.c - the summary as JSON, for --summary-json: the same figures
 * as the lines on stderr, for a script to read.  One object, its fields
 * always present in this order (new ones only added at the end, as in
 * the records):
 *
 *   {"urls":N,"skipped":N,"wall_s":S,"ok":N,"http_errors":N,"failed":N,
 *    "errors":{"KIND":N,...},"status":{"1xx":N,...,"5xx":N,"other":N},
 *    "requests":N,"requests_per_s":R,"retries":N,"bytes":N,
 *    "latency_ms":{"count":N,"p50":MS,"p90":MS,"p99":MS,"max":MS},
 *    "failing_hosts":[{"host":H,"failures":N,"error":N},...],
 *    "failing_hosts_estimated":B,"stopped":null|MESSAGE}
 *
 * Latencies are null when no response came; "error" is how much a
 * host's count may over-state it (0 while at most TOPHOSTS_CAP hosts
 * failed).
 */
#include "summary.h"

#include <inttypes.h>
#include <string.h>

#include "base/json.h"

#define TOP_JSON 10

/* "errors":{...},"status":{...} */
static int put_counts(const struct summary *s, struct sl_buf *b)
{
  bool first = true;
  int rc = sl_buf_puts(b, ",\"errors\":{");

  for(int k = 0; k < SUMMARY_KINDS && !rc; k++) {
    if(s->by_kind[k]) {
      rc = sl_buf_printf(b, "%s\"%s\":%" PRIu64, first ? "" : ",",
                         s->kind_name[k], s->by_kind[k]);
      first = false;
    }
  }
  rc = rc ? rc : sl_buf_puts(b, "},\"status\":{");
  for(int c = 1; c <= 6 && !rc; c++) {
    int k = c % 6; /* 1xx..5xx, then other */
    rc = sl_buf_printf(b, "%s\"%s\":%" PRIu64, c > 1 ? "," : "",
                       summary_class_names[k], s->by_class[k]);
  }
  return rc ? rc : sl_buf_puts(b, "}");
}

static int put_latency(const struct summary *s, struct sl_buf *b)
{
  const struct sl_hist *h = &s->latency;
  int rc = sl_buf_printf(b, ",\"latency_ms\":{\"count\":%" PRIu64, h->count);

  for(int i = 0; i < 3 && !rc; i++) {
    if(h->count) {
      rc = sl_buf_printf(b, ",\"%s\":%.3f", summary_quantile_names[i],
                         (double)sl_hist_quantile(h, summary_quantiles[i]) /
                             1000.0);
    } else {
      rc = sl_buf_printf(b, ",\"%s\":null", summary_quantile_names[i]);
    }
  }
  if(!rc) {
    rc = h->count ? sl_buf_printf(b, ",\"max\":%.3f}", (double)h->max / 1e3)
                  : sl_buf_puts(b, ",\"max\":null}");
  }
  return rc;
}

static int put_hosts(const struct summary *s, struct sl_buf *b)
{
  const struct tophost *top[TOP_JSON];
  size_t n = tophosts_top(&s->hosts, top, TOP_JSON);
  int rc = sl_buf_puts(b, ",\"failing_hosts\":[");

  for(size_t i = 0; i < n && !rc; i++) {
    rc = sl_buf_puts(b, i ? ",{\"host\":" : "{\"host\":");
    rc = rc ? rc : sl_json_string(b, top[i]->key, top[i]->keylen);
    rc = rc ? rc
            : sl_buf_printf(b,
                            ",\"failures\":%" PRIu64 ",\"error\":%" PRIu64 "}",
                            top[i]->count, top[i]->over);
  }
  return rc ? rc
            : sl_buf_printf(b, "],\"failing_hosts_estimated\":%s",
                            s->hosts.estimated ? "true" : "false");
}

int summary_json(const struct summary *s, double wall_s, const char *stopped,
                 struct sl_buf *b)
{
  size_t mark = b->len;
  int rc = sl_buf_printf(
      b,
      "{\"urls\":%" PRIu64 ",\"skipped\":%" PRIu64 ",\"wall_s\":%.3f,"
      "\"ok\":%" PRIu64 ",\"http_errors\":%" PRIu64 ",\"failed\":%" PRIu64,
      s->urls, s->skipped, wall_s, s->ok, s->http_errors, s->failed);

  rc = rc ? rc : put_counts(s, b);
  rc = rc ? rc
          : sl_buf_printf(b,
                          ",\"requests\":%" PRIu64 ",\"requests_per_s\":%.1f,"
                          "\"retries\":%" PRIu64 ",\"bytes\":%" PRIu64,
                          s->requests,
                          wall_s > 0 ? (double)s->requests / wall_s : 0.0,
                          s->retries, s->bytes);
  rc = rc ? rc : put_latency(s, b);
  rc = rc ? rc : put_hosts(s, b);
  rc = rc ? rc : sl_buf_puts(b, ",\"stopped\":");
  if(!rc) {
    rc = stopped ? sl_json_string(b, stopped, strlen(stopped))
                 : sl_buf_puts(b, "null");
  }
  rc = rc ? rc : sl_buf_puts(b, "}\n");
  if(rc) {
    sl_buf_truncate(b, mark);
  }
  return rc;
}
