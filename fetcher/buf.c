/*
 * buf.c - growable byte buffer.  See buf.h.
 */
#include "fetcher/buf.h"

#include <stdlib.h>
#include <string.h>

int sl_buf_append(struct sl_buf *b, const void *data, size_t n)
{
  if(b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    char *p;
    while(cap < b->len + n + 1) {
      if(cap > (size_t)-1 / 2)
        return -1;
      cap *= 2;
    }
    p = realloc(b->p, cap);
    if(!p)
      return -1;
    b->p = p;
    b->cap = cap;
  }
  if(n)
    memcpy(b->p + b->len, data, n);
  b->len += n;
  b->p[b->len] = '\0';
  return 0;
}

long sl_buf_push_str(struct sl_buf *b, const char *s)
{
  size_t at = b->len;
  if(sl_buf_append(b, s, strlen(s) + 1))
    return -1;
  return (long)at;
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
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}
