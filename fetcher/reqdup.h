/*
 * reqdup.h - a request copied whole into one block of memory, for a
 * request that waits before it is fetched (the queue's items): every
 * string, header line and body byte it points to is copied after the
 * struct, so the caller's may go at once, as with sl_fetch().
 */
#ifndef SL_FETCHER_REQDUP_H
#define SL_FETCHER_REQDUP_H

#include "sluice.h"

#include <stddef.h>

/* A block of head bytes (zeroed; the caller's header, aligned for any
   type) followed by a copy of req; *copy points to the copy, whose
   pointers point into the block.  NULL when out of memory.  One free()
   frees it all. */
void *sl__request_dup(const struct sl_request *req, size_t head,
                      struct sl_request **copy);

#endif
