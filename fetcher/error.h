/*
 * error.h - where a task keeps its error: the public struct sl_error and
 * the memory its message lives in (a fixed buffer, or a growable one for
 * long messages), so that every failure path sets an error the same way.
 */
#ifndef SL_FETCHER_ERROR_H
#define SL_FETCHER_ERROR_H

#include "sluice.h"

#include "base/buf.h"

#include <curl/curl.h>

struct sl_errstore {
  struct sl_error e; /* e.message points into buf, msg, or "" */
  char buf[CURL_ERROR_SIZE];
  struct sl_buf msg; /* messages longer than buf */
};

/* Sets the error (msg is copied; it may be es->buf itself).  Out of
   memory for a long message keeps what fits. */
void sl__err_set(struct sl_errstore *es, enum sl_error_kind kind, int code,
                 const char *msg);

/* No error: kind none, code 0, message "". */
void sl__err_clear(struct sl_errstore *es);

#endif
