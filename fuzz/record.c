/*
 * record.c - fuzzes the JSON record writer (cmd/record.c) with every
 * field from the fuzzer (URL, error kind and message as arbitrary bytes,
 * numbers and doubles of any value: NaN, infinities, negatives): each
 * record is exactly one line, valid UTF-8, one JSON object (checked by
 * json_check.c's independent parser), and its "url" decodes back to the
 * input when that was valid UTF-8.
 *
 * Input: 40 bytes of numbers and flags, then url, kind and message
 * separated by 0xFF bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/record.h"
#include "json_check.h"

/* The next field of s[0..*len), up to a 0xFF byte. */
static const char *field(const uint8_t **s, size_t *len, size_t *n)
{
  const uint8_t *p = *s, *sep = memchr(p, 0xFF, *len);
  *n = sep ? (size_t)(sep - p) : *len;
  *s += *n + (sep != NULL);
  *len -= *n + (sep != NULL);
  return (const char *)p;
}

static void check_url(const struct sl_buf *b, const struct record *r)
{
  struct sl_buf dec = {0};
  const char *v;
  size_t vlen;

  if(!jc_member(b->p, b->len - 1, "url", &v, &vlen) ||
     !jc_string(v, vlen, &dec))
    abort();
  if(jc_utf8_valid(r->url, r->url_len) &&
     (dec.len != r->url_len || (dec.len && memcmp(dec.p, r->url, dec.len))))
    abort();
  sl_buf_free(&dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct record r;
  struct sl_buf b = {0};
  size_t n, msg_len;
  uint8_t flags;
  char *msg;

  if(size < 40)
    return 0;
  memset(&r, 0, sizeof(r));
  memcpy(&r.index, data, 8);
  memcpy(&r.status, data + 8, 8);
  memcpy(&r.bytes, data + 16, 8);
  memcpy(&r.time_ms, data + 24, 8);
  memcpy(&r.attempts, data + 32, 4);
  flags = data[36];
  r.has_status = flags & 1;
  r.ok = flags & 2;
  r.has_time = flags & 4;
  data += 40;
  size -= 40;
  r.url = field(&data, &size, &r.url_len);
  r.error_kind = field(&data, &size, &n);
  msg = (char *)field(&data, &size, &msg_len);
  /* the kind and message are C strings in a record */
  r.error_kind = flags & 8 ? strndup(r.error_kind, n) : NULL;
  r.error_msg = flags & 16 ? strndup(msg, msg_len) : NULL;

  if(record_format(&b, &r) == 0) {
    if(!b.len || b.p[b.len - 1] != '\n' || memchr(b.p, '\n', b.len - 1) ||
       !jc_utf8_valid(b.p, b.len) || !jc_value(b.p, b.len - 1))
      abort();
    check_url(&b, &r);
  }
  free((char *)r.error_kind);
  free((char *)r.error_msg);
  sl_buf_free(&b);
  return 0;
}
