/*
 * term.c - text for a terminal from bytes from elsewhere.  See term.h.
 */
#include "base/term.h"

#include "base/json.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* Whether the UTF-8 sequence s[0..n) is a C1 control or a bidi control. */
static bool is_control_seq(const unsigned char *s, size_t n)
{
  if(n == 2)
    return s[0] == 0xC2 && s[1] <= 0x9F; /* U+0080..U+009F */
  /* U+202A..U+202E is E2 80 AA..AE, U+2066..U+2069 is E2 81 A6..A9 */
  return n == 3 && s[0] == 0xE2 &&
         ((s[1] == 0x80 && s[2] >= 0xAA && s[2] <= 0xAE) ||
          (s[1] == 0x81 && s[2] >= 0xA6 && s[2] <= 0xA9));
}

static void put_hex(struct sl_buf *out, const unsigned char *s, size_t n)
{
  static const char hex[] = "0123456789abcdef";
  for(size_t i = 0; i < n; i++) {
    char e[4] = {'\\', 'x', hex[s[i] >> 4], hex[s[i] & 15]};
    sl_buf_put(out, e, sizeof(e));
  }
}

int sl_term_escape(struct sl_buf *out, const char *str, size_t len)
{
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0, n;

  /* worst case: every byte becomes "\xHH" */
  if(len > (SIZE_MAX - 1) / 4 || sl_buf_reserve(out, len * 4))
    return -1;
  while(i < len) {
    if(s[i] >= 0x20 && s[i] < 0x7F) {
      sl_buf_put(out, s + i++, 1);
      continue;
    }
    n = s[i] < 0x80 ? 0 : sl_utf8_seq(s + i, len - i);
    if(!n || is_control_seq(s + i, n)) {
      n = n ? n : 1;
      put_hex(out, s + i, n);
    } else
      sl_buf_put(out, s + i, n);
    i += n;
  }
  sl_buf_terminate(out);
  return 0;
}

int sl_term_printf(FILE *f, const char *fmt, ...)
{
  struct sl_buf out = {0};
  va_list ap;
  char *text = NULL;
  int n, rc;
  bool nl;

  va_start(ap, fmt);
  n = vasprintf(&text, fmt, ap);
  va_end(ap);
  if(n < 0)
    return EOF;
  nl = n > 0 && text[n - 1] == '\n';
  if(sl_term_escape(&out, text, (size_t)n - nl)) {
    /* out of memory: byte by byte, nothing but printable ASCII */
    for(int i = 0; i < n - nl; i++) {
      if(text[i] >= 0x20 && text[i] < 0x7F)
        fputc(text[i], f);
      else
        fprintf(f, "\\x%02x", (unsigned char)text[i]);
    }
    rc = nl ? fputc('\n', f) : 0;
  } else {
    rc = fputs(out.p ? out.p : "", f);
    if(nl && rc != EOF)
      rc = fputc('\n', f);
  }
  free(text);
  sl_buf_free(&out);
  return rc;
}
