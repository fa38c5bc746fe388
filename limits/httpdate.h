/*
 * httpdate.h - parse an HTTP-date (RFC 9110 5.6.7, was RFC 7231 7.1.1.1)
 * as Retry-After may carry one.
 *
 * Pure: no clock (the reference time for two-digit years is passed in),
 * no locale, no timezone database: HTTP dates are always GMT.
 */
#ifndef SL_LIMITS_HTTPDATE_H
#define SL_LIMITS_HTTPDATE_H

#include <stdbool.h>
#include <stdint.h>

/* Parses, with optional surrounding spaces and tabs:
     IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
     RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"
     asctime      "Sun Nov  6 08:49:37 1994"
   into *t, seconds since the Unix epoch.  Names of days and months match
   without regard to case; the day name is checked for spelling but not
   against the date.  A two-digit year is the latest year with those last
   two digits that is not more than 50 years after `ref` (Unix seconds,
   the current time), as RFC 9110 asks.  Returns false, leaving *t alone,
   on anything else, including impossible dates (Feb 30) and years before
   1900. */
bool sl_http_date_parse(const char *s, int64_t ref, int64_t *t);

#endif
