/*
 * array.c - growable arrays.  See array.h.
 */
#include "base/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int sl_array_reserve_(void *pp, size_t *cap, size_t need, size_t size,
                      size_t min)
{
  size_t n = *cap ? *cap : (min ? min : 1);
  void *p;
  if(need <= *cap)
    return 0;
  while(n < need) {
    if(n > SIZE_MAX / 2)
      return -1;
    n *= 2;
  }
  if(n > SIZE_MAX / size)
    return -1;
  /* pp is a pointer to the caller's T *: read and write it as bytes, so
     any object pointer type goes through one void * */
  memcpy(&p, pp, sizeof(p));
  p = realloc(p, n * size);
  if(!p)
    return -1;
  memcpy(pp, &p, sizeof(p));
  *cap = n;
  return 0;
}
