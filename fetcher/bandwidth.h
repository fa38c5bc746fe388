/*
 * bandwidth.h - the bandwidth caps on running transfers: sl_options'
 * bandwidth (all transfers together) and host_bandwidth (each host on
 * its own), byte buckets of limits/byterate.h that every piece of a body
 * passes in libcurl's write callback.
 */
#ifndef SL_FETCHER_BANDWIDTH_H
#define SL_FETCHER_BANDWIDTH_H

#include <stdbool.h>
#include <stddef.h>

struct sl_task;

/* From the write callback, before anything else looks at a piece of len
   bytes: true when it may go on (and is counted), false when the task's
   transfer is to pause (return CURL_WRITEFUNC_PAUSE): a timer on the
   task's stage timer will unpause it when the buckets allow. */
bool sl__bw_pass(struct sl_task *t, size_t len);

/* The stage timer of a RUNNING task went off: unpauses its transfer if
   the caps paused it.  libcurl hands the piece it kept over again at
   once (it may pause once more); a failure then ends the transfer. */
void sl__bw_resume(struct sl_task *t);

#endif
