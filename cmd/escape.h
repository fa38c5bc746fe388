/*
 * escape.h - text from elsewhere (URLs from the input) made safe to show
 * on a terminal, for the progress line and the SIGUSR1 dump.
 *
 * A minimal private stand-in for base/term.h's sl_term_escape, which the
 * hardening branch (issue 16) adds with the same contract and a finer
 * policy (valid printable UTF-8 kept): once it lands, callers switch to
 * it and this file goes.
 */
#ifndef SLUICE_CMD_ESCAPE_H
#define SLUICE_CMD_ESCAPE_H

#include <stddef.h>

#include "base/buf.h"

/* Appends s[0..len) to out with every byte outside printable ASCII
   (controls, DEL, and all of 0x80..0xFF: escapes, C1 controls, bidi
   overrides in UTF-8) written as a visible \xHH, and '\' as \\, so one
   byte is one column.  0, or -1 when memory ran out (out unchanged). */
int cli_escape(struct sl_buf *out, const char *s, size_t len);

#endif
