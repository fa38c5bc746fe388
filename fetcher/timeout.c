/*
 * timeout.c - what a timeout says.  See timeout.h.
 */
#include "fetcher/timeout.h"

#include "fetcher/task.h"
#include "limits/ns.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Whole milliseconds of ns, rounded. */
static long ms(int64_t ns)
{
  return (long)((ns + SL_NS_PER_MS / 2) / SL_NS_PER_MS);
}

static void set(struct sl_task *t, const char *msg)
{
  sl__task_set_error(t, SL_ERR_TIMEOUT, CURLE_OPERATION_TIMEDOUT, msg);
}

void sl__timeout_pending(struct sl_task *t, int64_t now, const char *where)
{
  char msg[160];
  (void)now;
  snprintf(msg, sizeof(msg),
           "timed out after %ld ms, the request's deadline, %s",
           ms(t->deadline - t->created_at), where);
  set(t, msg);
}

void sl__timeout_paused(struct sl_task *t, int64_t now, int64_t until)
{
  char msg[160];
  snprintf(msg, sizeof(msg),
           "not sent: its host is paused by Retry-After for %.1f s more, "
           "past the request's %ld ms deadline",
           (double)(until - now) / (double)SL_NS_PER_SEC,
           ms(t->deadline - t->created_at));
  set(t, msg);
}

/* Which timeout curl kept for t's transfer (time_left in transfer.c):
   the try timeout when it was the nearer (or the only) one. */
static bool try_was_nearer(const struct sl_task *t)
{
  return t->try_timeout_ms > 0 &&
         (t->deadline <= 0 ||
          sl_ns_from_ms(t->try_timeout_ms) < t->deadline - t->started_at);
}

/* The connect timeout was nearer than the one curl kept, and no
   connection came. */
static bool connect_was_nearer(const struct sl_task *t)
{
  int64_t kept = try_was_nearer(t) ? sl_ns_from_ms(t->try_timeout_ms)
                 : t->deadline > 0 ? t->deadline - t->started_at
                                   : INT64_MAX;
  return t->connect_timeout_ms > 0 &&
         sl_ns_from_ms(t->connect_timeout_ms) < kept &&
         t->resp.timing.connect_ms <= 0;
}

void sl__timeout_transfer(struct sl_task *t, const char *detail)
{
  char msg[CURL_ERROR_SIZE + 160];
  if(connect_was_nearer(t))
    snprintf(msg, sizeof(msg),
             "not connected within %ld ms, the connect timeout: %s",
             t->connect_timeout_ms, detail);
  else if(try_was_nearer(t))
    snprintf(msg, sizeof(msg),
             "timed out after %ld ms, the try timeout (try %u): %s",
             t->try_timeout_ms, t->attempts, detail);
  else if(t->deadline > 0 && t->started_at - t->created_at >= SL_NS_PER_MS)
    snprintf(msg, sizeof(msg),
             "timed out after %ld ms, the request's deadline (%ld ms of it "
             "spent before this try started): %s",
             ms(t->deadline - t->created_at),
             ms(t->started_at - t->created_at), detail);
  else if(t->deadline > 0)
    snprintf(msg, sizeof(msg),
             "timed out after %ld ms, the request's deadline: %s",
             ms(t->deadline - t->created_at), detail);
  else
    snprintf(msg, sizeof(msg), "%s", detail);
  set(t, msg);
}
