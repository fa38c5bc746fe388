/*
 * term.h - text for a terminal from bytes that came from elsewhere (URLs
 * from input files, messages from servers, file names): everything that
 * could drive the terminal rather than be shown is made visible as an
 * escape ("\x1b"), so that a hostile URL cannot retitle the window,
 * rewrite the screen or ring the bell through sluice's messages on
 * stderr.  Escaped: C0 controls and DEL (line breaks and tabs included:
 * messages are one line), C1 controls both as raw bytes and as UTF-8
 * (U+0080..U+009F, which some terminals obey), the bidirectional
 * overrides and isolates that make text read in another order
 * (U+202A..U+202E, U+2066..U+2069), and every byte that is not part of
 * valid UTF-8.  Valid printable UTF-8 is kept as it is.
 */
#ifndef SL_BASE_TERM_H
#define SL_BASE_TERM_H

#include <stddef.h>
#include <stdio.h>

#include "base/buf.h"

/* Appends s[0..len) to out, escaped as above.  0, or -1 when memory ran
   out (out is then unchanged). */
int sl_term_escape(struct sl_buf *out, const char *s, size_t len);

/* fprintf to f with the formatted text escaped, but for one final
   newline.  Returns what fputs does; out of memory, the text is written
   with every byte outside printable ASCII escaped instead. */
int sl_term_printf(FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
