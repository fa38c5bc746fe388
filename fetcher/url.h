/*
 * url.h - the cheap up-front look at a URL (scheme, host, port) that the
 * per-host limits key on, and the parsed-URL cache each pooled easy
 * handle keeps for curl.
 */
#ifndef SL_FETCHER_URL_H
#define SL_FETCHER_URL_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

/* Checks url and finds its host (lower case, no brackets) and port;
   false with *why (a static message) when it cannot be fetched. */
bool sl__url_host(const char *url, char *host, size_t cap, unsigned *port,
                  const char **why);

/* A parsed URL handle for CURLOPT_CURLU that remembers the origin
   (scheme://authority) it was last given.  A URL with the same origin and
   a plain path only has its path and query replaced, which spares curl
   parsing the whole URL again for every request (a fifth of its work on
   keep-alive requests). */
#define SL_ORIGIN_MAX 256
struct sl_curlu {
  CURLU *u;          /* NULL until first used */
  size_t origin_len; /* 0: nothing cached */
  char origin[SL_ORIGIN_MAX];
};

/* Makes c->u hold url, parsed as curl parses CURLOPT_URL; false when curl
   rejects it or memory runs out (then CURLOPT_URL reports the error).
   url must be one sl__url_host accepted: curl would resolve a relative
   URL against the one the handle held before. */
bool sl__curlu_set(struct sl_curlu *c, const char *url);
void sl__curlu_free(struct sl_curlu *c);

#endif
