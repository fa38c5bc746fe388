/*
 * duration.c - parses the durations the command line takes.
 *
 * Hand-written rather than strtod(): strtod() accepts "inf", "nan", hex,
 * exponents, leading white space and signs, none of which is a sensible
 * time limit, and a typo in a limit must be a usage error, not a surprise.
 */
#include "duration.h"

#include <stdbool.h>
#include <string.h>

int duration_parse(const char *s, long *ms)
{
  double whole = 0, frac = 0, scale = 1, unit, v;
  int digits = 0;
  bool nonzero = false; /* a digit past the precision kept counts too */

  while(*s >= '0' && *s <= '9') {
    nonzero |= *s != '0';
    if(whole < 1e15) {
      whole = whole * 10 + (*s - '0');
    }
    s++;
    digits++;
  }
  if(*s == '.') {
    s++;
    while(*s >= '0' && *s <= '9') {
      nonzero |= *s != '0';
      if(scale < 1e15) {
        scale *= 10;
        frac += (*s - '0') / scale;
      }
      s++;
      digits++;
    }
  }
  if(!digits) {
    return -1;
  }
  if(!*s || !strcmp(s, "s")) {
    unit = 1000;
  } else if(!strcmp(s, "ms")) {
    unit = 1;
  } else if(!strcmp(s, "m")) {
    unit = 60 * 1000;
  } else if(!strcmp(s, "h")) {
    unit = 3600 * 1000;
  } else {
    return -1;
  }
  v = (whole + frac) * unit;
  if(v > (double)DURATION_MAX_MS) {
    return -1;
  }
  *ms = (long)v;
  if(*ms == 0 && nonzero) {
    *ms = 1;
  } else if(v - (double)*ms >= 0.5) {
    (*ms)++;
  }
  return 0;
}
