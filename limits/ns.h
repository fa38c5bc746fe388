/*
 * ns.h - the time unit of limits/: signed 64-bit nanoseconds.
 *
 * Every function in limits/ that needs the time takes `now` from its
 * caller, as an int64_t count of nanoseconds on any clock the caller
 * likes (the loop's, or a fake one in tests).  Integers keep the token
 * bucket exact over any run length; doubles would drift.  Callers must
 * keep times within +/- 2^62 ns (146 years) of zero.
 */
#ifndef SL_LIMITS_NS_H
#define SL_LIMITS_NS_H

#include <stdint.h>

#define SL_NS_PER_SEC INT64_C(1000000000)
#define SL_NS_PER_MS  INT64_C(1000000)
#define SL_NS_PER_US  INT64_C(1000)
/* "never" / "no deadline" */
#define SL_NS_NEVER INT64_MAX

/* Seconds as a double (ev_now()) to nanoseconds, rounded to nearest and
   clamped to +/- 2^62 (NaN gives 0). */
static inline int64_t sl_ns_from_sec(double s)
{
  double ns = s * 1e9;
  if(ns != ns) /* NaN */
    return 0;
  if(ns >= 4611686018427387904.0)
    return INT64_C(4611686018427387904);
  if(ns <= -4611686018427387904.0)
    return -INT64_C(4611686018427387904);
  return (int64_t)(ns < 0 ? ns - 0.5 : ns + 0.5);
}

static inline double sl_ns_to_sec(int64_t ns)
{
  return (double)ns / 1e9;
}

/* Milliseconds, the unit of the public API, to nanoseconds (saturating
   at +/- 2^62). */
static inline int64_t sl_ns_from_ms(long ms)
{
  if(ms >= INT64_C(4611686018427))
    return INT64_C(4611686018427387904);
  if(ms <= -INT64_C(4611686018427))
    return -INT64_C(4611686018427387904);
  return (int64_t)ms * SL_NS_PER_MS;
}

/* Nanoseconds to milliseconds with the fraction (for timings). */
static inline double sl_ns_to_ms(int64_t ns)
{
  return (double)ns / 1e6;
}

#endif
