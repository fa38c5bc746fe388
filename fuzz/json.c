/*
 * json.c - fuzzes base/json.c, the one JSON string escaping of every
 * program here: for any bytes, the output is exactly one JSON string in
 * valid UTF-8 (checked by the independent parser of json_check.c); when
 * the input was valid UTF-8 it decodes back to the input byte for byte;
 * and sl_utf8_seq agrees with the checker's UTF-8 decoder at every
 * position.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "json_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct sl_buf out = {0}, dec = {0};
  const char *s = (const char *)data;

  if(sl_json_string(&out, s, size))
    return 0; /* out of memory */
  if(!jc_utf8_valid(out.p, out.len) || !jc_string(out.p, out.len, &dec))
    abort();
  if(jc_utf8_valid(s, size) &&
     (dec.len != size || (size && memcmp(dec.p, data, size))))
    abort();
  for(size_t i = 0; i < size; i++) {
    size_t n = sl_utf8_seq(data + i, size - i);
    size_t want = data[i] < 0x80 ? 0 : jc_utf8_len(s + i, size - i);
    if(n != want)
      abort();
  }
  sl_buf_free(&out);
  sl_buf_free(&dec);
  return 0;
}
