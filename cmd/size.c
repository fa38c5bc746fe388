/*
 * size.c - parses --max-filesize's BYTES.  See size.h.
 *
 * Hand-written for the same reason as duration.c: strtoull() takes
 * signs, spaces and other bases, and wraps around; a limit with a typo
 * must be a usage error.
 */
#include "size.h"

int size_parse(const char *s, uint64_t *bytes)
{
  uint64_t v = 0, unit = 1;

  if(*s < '0' || *s > '9') {
    return -1;
  }
  for(; *s >= '0' && *s <= '9'; s++) {
    uint64_t d = (uint64_t)(*s - '0');
    if(v > (SIZE_MAX_BYTES - d) / 10) {
      return -1;
    }
    v = v * 10 + d;
  }
  switch(*s) {
    case '\0':
      break;
    case 'g':
    case 'G':
      unit *= 1024;
      /* FALLTHROUGH */
    case 'm':
    case 'M':
      unit *= 1024;
      /* FALLTHROUGH */
    case 'k':
    case 'K':
      unit *= 1024;
      if(s[1]) {
        return -1;
      }
      break;
    default:
      return -1;
  }
  if(v > SIZE_MAX_BYTES / unit) {
    return -1;
  }
  *bytes = v * unit;
  return 0;
}
