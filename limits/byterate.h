/*
 * byterate.h - a byte-rate limiter for bandwidth caps (sl_options'
 * bandwidth, over all transfers, and host_bandwidth, per host): a token
 * bucket counted in bytes.
 *
 * Pure policy: no clock, no loop, no allocation.  The caller passes the
 * time (`now`, int64_t nanoseconds, see ns.h) to every call.
 *
 * Bytes come in pieces the caller cannot split: libcurl hands a body to
 * its write callback in pieces of up to 16 KiB, and can hold a piece
 * back (CURL_WRITEFUNC_PAUSE) but not part of one.  So a piece goes
 * through whenever the bucket is not empty (more than 0 bytes in it),
 * and may take it below zero, into debt; the next piece waits until the
 * debt is paid.  Since every piece starts with the bucket above zero,
 * the debt is never more than one piece, and over any window of W ns the
 * bytes let through are at most burst + rate * W / 1e9 + one piece, and
 * (with takers always waiting) at least rate * W / 1e9 - burst - one
 * piece.  The rate is kept exact over any length of run: the fraction of
 * a byte earned is carried, never rounded away.
 *
 * Clock jumps: forward, the bucket refills but never beyond `burst`;
 * backward, it keeps its state as if no time had passed.
 */
#ifndef SL_LIMITS_BYTERATE_H
#define SL_LIMITS_BYTERATE_H

#include <stdbool.h>
#include <stdint.h>

/* The largest rate accepted, in bytes per second (1 EiB/s). */
#define SL_BYTERATE_MAX (UINT64_C(1) << 60)

struct sl_byterate {
  uint64_t rate;  /* bytes per second */
  int64_t burst;  /* bytes the bucket holds when full */
  int64_t tokens; /* bytes in the bucket; below 0: debt */
  uint64_t frac;  /* the fraction of a byte earned, in 1e-9 byte */
  int64_t last;   /* the latest `now` seen */
};

/* The bucket size sl_byterate_init gives for burst 0: 50 ms of the rate
   (at least one byte), so that a taker woken a few milliseconds late
   loses nothing of its due. */
uint64_t sl_byterate_default_burst(uint64_t rate);

/* A full bucket of `burst` bytes (0: the default above) filling at
   `rate` bytes per second.  false when rate is 0 or over SL_BYTERATE_MAX,
   or burst is over it; the bucket is then unusable. */
bool sl_byterate_init(struct sl_byterate *b, uint64_t rate, uint64_t burst,
                      int64_t now);

/* The earliest time, >= now, at which a piece may go through (the bucket
   holds more than 0 bytes): `now` itself when one may now.  Arm a timer
   at the result. */
int64_t sl_byterate_next_at(struct sl_byterate *b, int64_t now);

/* Counts n bytes let through at now (the caller checked next_at == now).
   The bucket may go into debt. */
void sl_byterate_take(struct sl_byterate *b, int64_t now, uint64_t n);

/* The earliest time, >= now, at which the bucket is full again, i.e.
   indistinguishable from a fresh one (the host table forgets an idle
   host only then, so forgetting it never forgives its debt). */
int64_t sl_byterate_full_at(struct sl_byterate *b, int64_t now);

#endif
