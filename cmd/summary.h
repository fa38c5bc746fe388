/*
 * summary.h - outcome counters and the closing summary line.
 */
#ifndef SLUICE_CMD_SUMMARY_H
#define SLUICE_CMD_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Failure kinds counted separately; any kind at or above this (a newer
   library) is counted under the last slot's name as given. */
#define SUMMARY_KINDS 32

struct summary {
  uint64_t urls;        /* records written (or attempted) */
  uint64_t ok;          /* response with status < 400 */
  uint64_t http_errors; /* response with status >= 400 */
  uint64_t failed;      /* no response */
  uint64_t bytes;       /* body bytes over all responses */
  uint64_t by_kind[SUMMARY_KINDS];
  const char *kind_name[SUMMARY_KINDS];
};

void summary_init(struct summary *s);

/* Counts one outcome: ok, an HTTP error status, or a failure of kind
   (numbered as enum sl_error_kind, named kind_name). */
void summary_add_ok(struct summary *s, uint64_t bytes);
void summary_add_http_error(struct summary *s, uint64_t bytes);
void summary_add_failed(struct summary *s, int kind, const char *kind_name);

/* True when every URL counted was ok (also when there were none). */
bool summary_all_ok(const struct summary *s);

/* Prints the one-paragraph summary to f, e.g.
   "sluice: 20000 URLs in 0.81 s (24691 req/s): 19998 ok, 1 http error,
   1 failed (invalid_url 1); 27.6 MB received" */
void summary_print(const struct summary *s, double wall_s, FILE *f);

#endif
