/*
 * escape.c - bytes from elsewhere as text a terminal only shows.  See
 * escape.h (a stand-in for base/term.c).
 *
 * Nothing but printable ASCII goes out as it is: whatever a hostile URL
 * holds (ESC sequences that retitle the window or move the cursor, C1
 * controls, right-to-left overrides), it cannot drive the terminal, and
 * every byte takes one column, which the progress line needs to cut a
 * URL to the terminal's width.  Byte by byte: it runs at most ten times
 * a second, on one URL.
 */
#include "escape.h"

int cli_escape(struct sl_buf *out, const char *s, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  size_t mark = out->len;

  for(size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
    int rc;

    if(c >= 0x20 && c < 0x7f && c != '\\') {
      rc = sl_buf_append(out, &s[i], 1);
    } else if(c == '\\') {
      rc = sl_buf_append(out, "\\\\", 2);
    } else {
      rc = sl_buf_append(out, esc, 4);
    }
    if(rc) {
      sl_buf_truncate(out, mark);
      return -1;
    }
  }
  return 0;
}
