/*
 * buf.c - growable byte buffer.  See buf.h.
 */
#include "base/buf.h"

#include "base/array.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int sl_buf_reserve(struct sl_buf *b, size_t extra)
{
  if(extra > SIZE_MAX - b->len - 1)
    return -1;
  if(sl_array_reserve(b->p, b->cap, b->len + extra + 1, 256))
    return -1;
  b->p[b->len] = '\0';
  return 0;
}

int sl_buf_puts(struct sl_buf *b, const char *s)
{
  return sl_buf_append(b, s, strlen(s));
}

int sl_buf_printf(struct sl_buf *b, const char *fmt, ...)
{
  va_list ap;
  int n;
  /* most callers format short lines: try in the free space first */
  if(sl_buf_reserve(b, 128))
    return -1;
  va_start(ap, fmt);
  n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  if(n < 0)
    goto fail;
  if((size_t)n >= b->cap - b->len) {
    if(sl_buf_reserve(b, (size_t)n))
      goto fail;
    va_start(ap, fmt);
    n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if(n < 0)
      goto fail;
  }
  b->len += (size_t)n;
  return 0;
fail:
  b->p[b->len] = '\0';
  return -1;
}

long sl_buf_push_str(struct sl_buf *b, const char *s)
{
  size_t at = b->len;
  if(sl_buf_append(b, s, strlen(s) + 1))
    return -1;
  return (long)at;
}

void sl_buf_truncate(struct sl_buf *b, size_t len)
{
  if(len < b->len) {
    b->len = len;
    b->p[len] = '\0';
  }
}

void sl_buf_reset(struct sl_buf *b, size_t keep)
{
  if(b->cap > keep) {
    free(b->p);
    b->p = NULL;
    b->cap = 0;
  }
  b->len = 0;
  if(b->p)
    b->p[0] = '\0';
}

void sl_buf_free(struct sl_buf *b)
{
  if(!b)
    return;
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}
