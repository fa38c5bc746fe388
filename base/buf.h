/*
 * buf.h - the growable byte buffer every program here shares (curl's
 * dynbuf): request and response bytes in the library, records in the
 * command line, responses and JSON documents in the fixture.  Once it
 * holds memory there is always a NUL after the last byte, so the
 * contents can be used as a C string.  Clearing keeps the memory (up to
 * a bound), so pooled owners reuse it from one request to the next.
 */
#ifndef SL_BASE_BUF_H
#define SL_BASE_BUF_H

#include <stddef.h>
#include <string.h>

struct sl_buf {
  char *p; /* NULL until the first byte (or reserve) */
  size_t len, cap;
};

/* Makes room for `extra` more bytes (and the NUL).  0, or -1 when memory
   runs out or the size overflows; the buffer is then unchanged. */
int sl_buf_reserve(struct sl_buf *b, size_t extra);

/* Appends n bytes.  0 or -1 (out of memory; the buffer is unchanged). */
static inline int sl_buf_append(struct sl_buf *b, const void *data, size_t n)
{
  if(b->cap - b->len <= n && sl_buf_reserve(b, n))
    return -1;
  if(n)
    memcpy(b->p + b->len, data, n);
  b->len += n;
  b->p[b->len] = '\0';
  return 0;
}

/* Appends a C string (without its NUL). */
int sl_buf_puts(struct sl_buf *b, const char *s);

/* Appends printf-formatted text.  0 or -1 (out of memory, or a format
   error; the buffer is unchanged). */
int sl_buf_printf(struct sl_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends s with its NUL, returning the offset where it starts, or -1.
   Offsets stay valid when the buffer moves; pointers do not. */
long sl_buf_push_str(struct sl_buf *b, const char *s);

/* Appends without a check: the caller reserved the room (hot paths that
   reserve once for several pieces).  Does not write the NUL: finish with
   sl_buf_terminate(). */
static inline void sl_buf_put(struct sl_buf *b, const void *data, size_t n)
{
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

static inline void sl_buf_terminate(struct sl_buf *b)
{
  if(b->p)
    b->p[b->len] = '\0';
}

/* Cuts the contents back to len bytes (<= b->len). */
void sl_buf_truncate(struct sl_buf *b, size_t len);

/* Empties the buffer; frees the memory when it is larger than keep. */
void sl_buf_reset(struct sl_buf *b, size_t keep);

/* Frees the memory; the buffer is empty and usable again.  NULL is a
   no-op. */
void sl_buf_free(struct sl_buf *b);

#endif
