/*
 * error.c - a task's error store.  See error.h.
 */
#include "fetcher/error.h"

#include <stdint.h>
#include <string.h>

void sl__err_set(struct sl_errstore *es, enum sl_error_kind kind, int code,
                 const char *msg)
{
  size_t n = strlen(msg);
  es->e.kind = kind;
  es->e.code = code;
  if(n < sizeof(es->buf)) {
    if(msg != es->buf)
      memcpy(es->buf, msg, n + 1);
    es->e.message = es->buf;
    return;
  }
  sl_buf_reset(&es->msg, SIZE_MAX);
  if(sl_buf_append(&es->msg, msg, n) == 0) {
    es->e.message = es->msg.p;
    return;
  }
  /* out of memory: keep what fits */
  memcpy(es->buf, msg, sizeof(es->buf) - 1);
  es->buf[sizeof(es->buf) - 1] = '\0';
  es->e.message = es->buf;
}

void sl__err_clear(struct sl_errstore *es)
{
  es->e.kind = SL_ERR_NONE;
  es->e.code = 0;
  es->e.message = "";
}
