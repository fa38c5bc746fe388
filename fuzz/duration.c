/*
 * duration.c - fuzzes the command line's DUR parser (cmd/duration.c):
 * no crash or undefined behaviour on any string, every value it accepts
 * is within 0..DURATION_MAX_MS, only "0" forms give 0, and a plain
 * "N" / "Nms" / "Ns" / "Nm" / "Nh" with a small N gives exactly N units.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/duration.h"

/* Exact value of "DIGITS UNIT" with at most 6 digits, or -1. */
static long simple(const char *s)
{
  long v = 0;
  size_t n = strspn(s, "0123456789");

  if(!n || n > 6)
    return -1;
  for(size_t i = 0; i < n; i++)
    v = v * 10 + (s[i] - '0');
  s += n;
  if(!*s || !strcmp(s, "s"))
    return v * 1000;
  if(!strcmp(s, "ms"))
    return v;
  if(!strcmp(s, "m"))
    return v * 60000;
  if(!strcmp(s, "h"))
    return v * 3600000;
  return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);
  long ms = -7, want;
  int rc;

  if(!s)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  rc = duration_parse(s, &ms);
  if(rc == 0 && (ms < 0 || ms > DURATION_MAX_MS))
    abort();
  if(rc == 0 && ms == 0 && strpbrk(s, "123456789"))
    abort(); /* a value over zero never rounds to 0 */
  if(rc != 0 && ms != -7)
    abort(); /* *ms is left alone on error */
  want = simple(s);
  if(want >= 0 && want <= DURATION_MAX_MS && (rc != 0 || ms != want))
    abort();
  free(s);
  return 0;
}
