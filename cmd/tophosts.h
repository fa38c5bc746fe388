/*
 * tophosts.h - the hosts with the most failures, for the summary, in
 * bounded memory however many hosts a run meets.
 */
#ifndef SLUICE_CMD_TOPHOSTS_H
#define SLUICE_CMD_TOPHOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hash.h"

/* Hosts counted exactly; beyond, counts are estimates (see .c). */
#define TOPHOSTS_CAP 256

struct tophost {
  struct sl_hnode node;
  uint64_t count; /* failures counted (an upper bound once estimated) */
  uint64_t over;  /* count - over <= true count <= count */
  size_t keylen;
  char key[]; /* "host:port" or "host", lower case */
};

struct tophosts {
  struct sl_htable table;
  struct tophost *v[TOPHOSTS_CAP];
  size_t n;
  bool estimated; /* more than TOPHOSTS_CAP hosts failed */
};

void tophosts_init(struct tophosts *t);
void tophosts_free(struct tophosts *t);

/* Counts one failure of the host of url[0..len) (its authority without
   user and password, lowered); a URL without one ("notaurl") is not
   counted.  Out of memory, the failure is not counted. */
void tophosts_add(struct tophosts *t, const char *url, size_t len);

/* The host of url[0..len) as tophosts_add() keys it: *start and *hlen,
   or false when there is none. */
bool tophosts_host_of(const char *url, size_t len, size_t *start,
                      size_t *hlen);

/* The k hosts with the most failures, most first (ties: the host name in
   byte order), into out; returns how many (at most k and n). */
size_t tophosts_top(const struct tophosts *t, const struct tophost **out,
                    size_t k);

#endif
