/*
 * proxy.h - the proxy variables of the environment, as libcurl reads
 * them (url.c's detect_proxy in libcurl: <scheme>_proxy, upper case too
 * except HTTP_PROXY, then all_proxy): whether one is set, and whether
 * each one set is a proxy curl can use, so that a malformed one is an
 * error when the context is made rather than a "dns" failure of every
 * URL later.
 */
#ifndef SL_FETCHER_PROXY_H
#define SL_FETCHER_PROXY_H

#include <stdbool.h>

/* Whether a proxy variable is set (and not empty).  When none is, easy
   handles say "no proxy" outright, which spares curl five getenv() calls
   per request; otherwise curl reads the environment as usual. */
bool sl__proxy_in_env(void);

#endif
