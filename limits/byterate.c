/*
 * byterate.c - a token bucket counted in bytes, with debt.  See
 * byterate.h.
 *
 * Time earned is turned into bytes with 128-bit arithmetic (rate * ns
 * overflows 64 bits after a few seconds at high rates), and the
 * remainder below one byte is kept in `frac`, so a rate of 3 bytes/s
 * gives exactly 3 bytes each second, forever.
 */
#include "limits/byterate.h"

#include "limits/ns.h"

#define NS ((unsigned __int128)SL_NS_PER_SEC)

uint64_t sl_byterate_default_burst(uint64_t rate)
{
  uint64_t b = rate / 20;
  return b ? b : 1;
}

bool sl_byterate_init(struct sl_byterate *b, uint64_t rate, uint64_t burst,
                      int64_t now)
{
  if(!rate || rate > SL_BYTERATE_MAX || burst > SL_BYTERATE_MAX)
    return false;
  if(!burst)
    burst = sl_byterate_default_burst(rate);
  b->rate = rate;
  b->burst = (int64_t)burst;
  b->tokens = b->burst;
  b->frac = 0;
  b->last = now;
  return true;
}

/* Adds what the time since the last call earned, up to the burst.  A
   taker woken at next_at() comes at a whole nanosecond, a little after
   the byte was due: the fraction of a byte that overshoots a full bucket
   then is kept (else a small rate filling a small bucket would lose it at
   every byte and drift); more than a byte beyond full is dropped, as a
   full bucket drops what it cannot hold. */
static void refill(struct sl_byterate *b, int64_t now)
{
  unsigned __int128 earned, excess;
  uint64_t room;

  if(now <= b->last) {
    b->last = now; /* backwards: as if no time had passed */
    return;
  }
  earned = (unsigned __int128)b->rate * (uint64_t)(now - b->last) + b->frac;
  b->last = now;
  room = (uint64_t)(b->burst - b->tokens);
  if(earned / NS >= room) {
    excess = earned - (unsigned __int128)room * NS;
    b->tokens = b->burst;
    b->frac = excess < NS ? (uint64_t)excess : 0;
    return;
  }
  b->tokens += (int64_t)(earned / NS);
  b->frac = (uint64_t)(earned % NS);
}

/* The time from now until `bytes` more are earned (bytes >= 1). */
static int64_t time_for(const struct sl_byterate *b, uint64_t bytes,
                        int64_t now)
{
  unsigned __int128 need = (unsigned __int128)bytes * NS - b->frac;
  unsigned __int128 ns = (need + b->rate - 1) / b->rate;

  if(ns > (unsigned __int128)(SL_NS_NEVER - now))
    return SL_NS_NEVER;
  return now + (int64_t)ns;
}

int64_t sl_byterate_next_at(struct sl_byterate *b, int64_t now)
{
  refill(b, now);
  if(b->tokens > 0)
    return now;
  return time_for(b, (uint64_t)(1 - b->tokens), b->last);
}

void sl_byterate_take(struct sl_byterate *b, int64_t now, uint64_t n)
{
  refill(b, now);
  if(n > (uint64_t)SL_BYTERATE_MAX)
    n = SL_BYTERATE_MAX;
  b->tokens -= (int64_t)n;
}

int64_t sl_byterate_full_at(struct sl_byterate *b, int64_t now)
{
  refill(b, now);
  if(b->tokens >= b->burst)
    return now;
  return time_for(b, (uint64_t)(b->burst - b->tokens), b->last);
}
