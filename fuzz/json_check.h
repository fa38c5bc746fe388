/*
 * json_check.h - a strict JSON checker for the fuzzers: whether bytes are
 * one JSON value as RFC 8259 defines it, in valid UTF-8 (no surrogates,
 * no overlong forms), and what a JSON string decodes to.  Written here
 * rather than taken from a library so that the fuzzers need nothing
 * beyond the build's own packages; it is the oracle, so it is written
 * for clarity, not speed, and shares no code with base/json.c.
 */
#ifndef SL_FUZZ_JSON_CHECK_H
#define SL_FUZZ_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/* True when s[0..len) is valid UTF-8 (RFC 3629). */
bool jc_utf8_valid(const char *s, size_t len);

/* The length of the valid UTF-8 sequence at s[0..len) (len >= 1), or 0
   when none starts there. */
size_t jc_utf8_len(const char *s, size_t len);

/* True when s[0..len) is exactly one JSON value, with white space
   around it allowed. */
bool jc_value(const char *s, size_t len);

/* When s[0..len) is exactly one JSON string, appends what it decodes to
   (UTF-8) to out and returns true. */
bool jc_string(const char *s, size_t len, struct sl_buf *out);

/* When s[0..len) is one JSON object, finds the value of member `name`
   (the first one, at the top level) and sets *v, *vlen to its text. */
bool jc_member(const char *s, size_t len, const char *name, const char **v,
               size_t *vlen);

#endif
