/*
 * record.h - one JSON Lines result record, formatted into a buffer.
 *
 * The record is plain data (no libsluice types) so the formatting can be
 * checked on its own; pump.c fills it from a finished task.
 */
#ifndef SLUICE_CMD_RECORD_H
#define SLUICE_CMD_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
};

/* A growable byte buffer. */
struct recbuf {
  char *data;
  size_t len, cap;
};

/* Appends the record as one line of JSON, newline included.  Returns 0, or
   -1 when memory ran out (the buffer is then unchanged). */
int record_format(struct recbuf *b, const struct record *r);

/* Appends s[0..len) as a JSON string, quotes included: '"', '\' and
   control characters are escaped, valid UTF-8 is copied as it is and each
   byte that is not part of valid UTF-8 becomes U+FFFD, written "\ufffd".
   Returns 0 or -1 (out of memory). */
int record_json_string(struct recbuf *b, const char *s, size_t len);

void recbuf_free(struct recbuf *b);

#endif
