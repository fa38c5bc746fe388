/*
 * buf.h - a growable byte buffer that keeps its capacity when cleared, so
 * pooled tasks reuse their memory from one request to the next.
 */
#ifndef SL_FETCHER_BUF_H
#define SL_FETCHER_BUF_H

#include <stddef.h>

struct sl_buf {
  char *p;
  size_t len, cap;
};

/* Appends n bytes and keeps the contents NUL-terminated.  0 or -1 (out of
   memory; the buffer is unchanged). */
int sl_buf_append(struct sl_buf *b, const void *data, size_t n);

/* Appends s with its NUL, returning the offset where it starts, or -1. */
long sl_buf_push_str(struct sl_buf *b, const char *s);

/* Empties the buffer; frees the memory when it is larger than keep. */
void sl_buf_reset(struct sl_buf *b, size_t keep);

void sl_buf_free(struct sl_buf *b);

#endif
