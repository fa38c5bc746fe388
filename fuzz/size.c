/*
 * size.c - fuzzes --max-filesize's BYTES parser (cmd/size.c): no crash
 * or undefined behaviour on any string; an accepted value is at most
 * SIZE_MAX_BYTES and equals digits x the suffix's power of 1024,
 * computed here independently; a refused one leaves the output alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/size.h"

/* The value of s by the rule in size.h, or -1 when malformed or too
   large. */
static int64_t reference(const char *s)
{
  size_t n = strspn(s, "0123456789");
  unsigned __int128 v = 0; /* 2^62 * 10 + 9 fits: no wrap-around */
  uint64_t mul = 1;
  if(!n)
    return -1;
  for(size_t i = 0; i < n; i++) {
    v = v * 10 + (unsigned)(s[i] - '0');
    if(v > SIZE_MAX_BYTES)
      return -1;
  }
  switch(s[n]) {
    case '\0':
      break;
    case 'k':
    case 'K':
      mul = 1024;
      break;
    case 'm':
    case 'M':
      mul = 1024 * 1024;
      break;
    case 'g':
    case 'G':
      mul = 1024 * 1024 * 1024;
      break;
    default:
      return -1;
  }
  if(s[n] && s[n + 1])
    return -1;
  if(v > SIZE_MAX_BYTES / mul)
    return -1;
  return (int64_t)(v * mul);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);
  uint64_t bytes = 7;
  int64_t want;
  int rc;

  if(!s)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  rc = size_parse(s, &bytes);
  want = reference(s); /* both see the string up to its first NUL */
  if(rc == 0 &&
     (bytes > SIZE_MAX_BYTES || want < 0 || bytes != (uint64_t)want))
    abort();
  if(rc != 0 && (bytes != 7 || want >= 0))
    abort();
  free(s);
  return 0;
}
