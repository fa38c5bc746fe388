/*
 * duration.h - the DUR values of --timeout, --connect-timeout and
 * --deadline: "250ms", "10s", "2m", "1h" or a plain number of seconds.
 */
#ifndef SLUICE_CMD_DURATION_H
#define SLUICE_CMD_DURATION_H

/* The longest duration accepted: 30 days, in milliseconds. */
#define DURATION_MAX_MS (30L * 24 * 3600 * 1000)

/* Parses s into *ms.  A number (digits, optionally with a fraction: "1.5",
   ".5") followed by nothing (seconds), "ms", "s", "m" or "h".  A value
   that is not zero but under a millisecond rounds up to 1 ms, so only "0"
   means 0.  Returns 0, or -1 when s is malformed or over
   DURATION_MAX_MS. */
int duration_parse(const char *s, long *ms);

#endif
