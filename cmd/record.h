/*
 * record.h - one JSON Lines result record, formatted into a buffer.
 *
 * The record is plain data (no libsluice types) so the formatting can be
 * checked on its own; pump.c fills it from a finished task.  Strings are
 * escaped by base/json.h, the one policy of every program here.
 */
#ifndef SLUICE_CMD_RECORD_H
#define SLUICE_CMD_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct record {
  uint64_t index;  /* position among the URL lines of the input */
  const char *url; /* bytes, any content; not NUL-terminated */
  size_t url_len;
  bool has_status; /* a response came */
  long status;
  bool ok;        /* a response with status < 400 */
  uint64_t bytes; /* body bytes received */
  bool has_time;  /* time_ms is known (a response came) */
  double time_ms;
  unsigned attempts;      /* tries made; 0 when it never started */
  const char *error_kind; /* NULL: "error":null */
  const char *error_msg;  /* may be NULL with error_kind set */

  /* Added after the first schema, after "error" in this order; each
     string NULL for null.  */
  const char *final_url;    /* after redirects */
  const char *content_type; /* as the server sent it */
  long redirects;           /* followed */
  int http_version;         /* 10, 11, 20, 30; 0: null */
  const char *ip;           /* the address connected to */
  const char *file;         /* the saved body, relative to --output-dir */
  bool has_timing;          /* timing is known (a response came) */
  struct record_timing {
    double queued, dns, connect, tls, ttfb, total; /* ms */
  } timing;
};

/* Appends the record as one line of JSON, newline included.  Returns 0, or
   -1 when memory ran out (the buffer is then unchanged). */
int record_format(struct sl_buf *b, const struct record *r);

#endif
