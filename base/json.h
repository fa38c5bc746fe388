/*
 * json.h - JSON string literals from arbitrary bytes, with one policy for
 * every program here: valid UTF-8 is copied as it is, each byte that is
 * not part of valid UTF-8 becomes U+FFFD (written "\ufffd"), '"' and '\'
 * are escaped, and so are control characters and DEL (as \n, \t, ... or
 * \u00XX).  Whatever the bytes were (URLs from input files, Host headers,
 * error messages from the network), the output is valid JSON and valid
 * UTF-8.
 */
#ifndef SL_BASE_JSON_H
#define SL_BASE_JSON_H

#include <stddef.h>

#include "base/buf.h"

/* Appends s[0..len) as a JSON string, quotes included.  0, or -1 when
   memory ran out (the buffer is then unchanged). */
int sl_json_string(struct sl_buf *b, const char *s, size_t len);

/* The length of the valid UTF-8 sequence at s[0..len) (len >= 1), or 0
   when s does not start one (bad lead byte, bad or missing continuation,
   overlong form, surrogate, or above U+10FFFF).  ASCII is not a
   sequence here: 0 for bytes below 0x80. */
size_t sl_utf8_seq(const unsigned char *s, size_t len);

#endif
