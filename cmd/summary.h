/*
 * summary.h - what a run came to: outcome counters, requests, bytes,
 * latency percentiles and the hosts with the most failures, printed at
 * the end on stderr and, with --summary-json, written as JSON.
 */
#ifndef SLUICE_CMD_SUMMARY_H
#define SLUICE_CMD_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/hist.h"
#include "record.h"
#include "tophosts.h"

/* Failure kinds counted separately; any kind at or above this (a newer
   library) is counted under the last slot's name as given. */
#define SUMMARY_KINDS 32

struct summary {
  uint64_t urls;        /* records written (or attempted) */
  uint64_t ok;          /* response with status < 400, nothing wrong */
  uint64_t http_errors; /* response with status >= 400 */
  uint64_t failed;      /* an error (kind), response or not */
  uint64_t bytes;       /* body bytes of every record, failed ones too */
  uint64_t requests;    /* requests sent: every record's attempts */
  uint64_t retries;     /* of those, the ones after a URL's first */
  uint64_t skipped;     /* --resume: URLs whose records were there */
  uint64_t by_class[6]; /* records with a status: [1]..[5] 1xx..5xx,
                           [0] any other */
  uint64_t by_kind[SUMMARY_KINDS];
  const char *kind_name[SUMMARY_KINDS];
  struct sl_hist latency; /* time_ms of every response, in microseconds */
  struct tophosts hosts;  /* failures (records not ok) by host */
};

void summary_init(struct summary *s);
void summary_free(struct summary *s);

/* Counts one record: ok, an HTTP error status, or a failure of kind
   (numbered as enum sl_error_kind, named r->error_kind). */
void summary_add(struct summary *s, const struct record *r, int kind);

/* True when every URL counted was ok (also when there were none). */
bool summary_all_ok(const struct summary *s);

/* Prints the summary to f, a few lines each starting "sluice: ", e.g.
   "sluice: 20000 URLs in 0.81 s: 19998 ok, 1 http error, 1 failed
   (invalid_url 1); 27.6 MB received", then the requests sent and the
   responses by status class, the latency percentiles, and the hosts
   with the most failures. */
void summary_print(const struct summary *s, double wall_s, FILE *f);

/* The same as one JSON object (and a newline) appended to b; stopped is
   why the run stopped early, or NULL.  0, or -1 when memory ran out.
   (sumjson.c) */
int summary_json(const struct summary *s, double wall_s, const char *stopped,
                 struct sl_buf *b);

/* "27.6 MB", "999 bytes": SI units, as network tools count. */
#define SUMMARY_BYTES_LEN 16
void summary_bytes(char out[SUMMARY_BYTES_LEN], uint64_t n);

/* Names of by_class's slots ("other", "1xx", ... "5xx"), and the
   quantiles told with their names ("p50", "p90", "p99"). */
extern const char *const summary_class_names[6];
extern const double summary_quantiles[3];
extern const char *const summary_quantile_names[3];

#endif
