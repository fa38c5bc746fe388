/*
 * json.c - JSON string escaping.  See json.h.
 *
 * Runs of plain printable ASCII are copied at once: the command line
 * writes tens of thousands of records a second, and URLs are mostly
 * plain.
 */
#include "base/json.h"

#include <stdint.h>

size_t sl_utf8_seq(const unsigned char *s, size_t len)
{
  unsigned char c = s[0];
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the 2nd byte */

  if(c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if(c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if(c == 0xE0)
      lo = 0xA0; /* overlong */
    else if(c == 0xED)
      hi = 0x9F; /* surrogates */
  } else if(c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if(c == 0xF0)
      lo = 0x90; /* overlong */
    else if(c == 0xF4)
      hi = 0x8F; /* above U+10FFFF */
  } else {
    return 0;
  }
  if(len < n || s[1] < lo || s[1] > hi)
    return 0;
  for(size_t i = 2; i < n; i++)
    if((s[i] & 0xC0) != 0x80)
      return 0;
  return n;
}

/* The bytes copied as they are: printable ASCII but '"' and '\\' (GNU C
   range designators; one look per byte). */
static const unsigned char plain[256] = {
    [0x20 ... 0x21] = 1, [0x23 ... 0x5B] = 1, [0x5D ... 0x7E] = 1};

/* The two-character escapes JSON has (NULL: none). */
static const char *const short_escape[0x60] = {
    ['"'] = "\\\"", ['\\'] = "\\\\", ['\n'] = "\\n", ['\r'] = "\\r",
    ['\t'] = "\\t", ['\b'] = "\\b",  ['\f'] = "\\f",
};

/* The escape of one byte that is not plain printable ASCII: a short
   escape, \u00XX, a UTF-8 sequence copied whole, or U+FFFD.  Returns how
   many input bytes it used. */
static size_t put_special(struct sl_buf *b, const unsigned char *s, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  size_t n;
  if(s[0] < 0x60 && short_escape[s[0]]) {
    sl_buf_put(b, short_escape[s[0]], 2);
    return 1;
  }
  if(s[0] < 0x20 || s[0] == 0x7F) {
    char esc[6] = {'\\', 'u', '0', '0', hex[s[0] >> 4], hex[s[0] & 0xF]};
    sl_buf_put(b, esc, sizeof(esc));
    return 1;
  }
  n = sl_utf8_seq(s, len);
  if(n) {
    sl_buf_put(b, s, n);
    return n;
  }
  sl_buf_put(b, "\\ufffd", 6);
  return 1;
}

int sl_json_string(struct sl_buf *b, const char *str, size_t len)
{
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;

  /* worst case: every byte becomes "\ufffd" (6 bytes), plus quotes */
  if(len > (SIZE_MAX - 2) / 6 || sl_buf_reserve(b, len * 6 + 2))
    return -1;
  sl_buf_put(b, "\"", 1);
  while(i < len) {
    size_t run = i;
    /* copy the longest run of plain printable ASCII at once */
    while(run < len && plain[s[run]])
      run++;
    if(run > i) {
      sl_buf_put(b, str + i, run - i);
      i = run;
      continue;
    }
    i += put_special(b, s + i, len - i);
  }
  sl_buf_put(b, "\"", 1);
  sl_buf_terminate(b);
  return 0;
}
