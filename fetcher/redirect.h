/*
 * redirect.h - redirects, followed by sluice itself rather than by curl,
 * so that every hop goes through the name cache (c-ares, never curl's
 * threaded resolver) and the limits of its own host, as a request does.
 */
#ifndef SL_FETCHER_REDIRECT_H
#define SL_FETCHER_REDIRECT_H

#include <stdbool.h>

struct sl_task;

/* 301, 302, 303, 307 and 308: the statuses that are followed. */
bool sl__redirect_status(long status);

/* After a try that ended with a response and no error: when it is a
   redirect that t follows, deals with it and returns true: the next hop
   is on its way through admission, or t FAILED (kind redirect: one too
   many, or a target that is not http or https).  false: t goes on as any
   other response. */
bool sl__redirect(struct sl_task *t);

#endif
