/*
 * size.h - the BYTES value of --max-filesize: a number of bytes with an
 * optional k, M or G suffix (1024-based, as curl reads it).
 */
#ifndef SLUICE_CMD_SIZE_H
#define SLUICE_CMD_SIZE_H

#include <stdint.h>

/* The largest size accepted: 2^62 bytes (4 EiB). */
#define SIZE_MAX_BYTES ((uint64_t)1 << 62)

/* Parses s into *bytes: decimal digits, then nothing or one of k, K, m,
   M, g, G (x 1024, 1024^2, 1024^3).  Returns 0, or -1 when s is
   malformed (empty, a sign, a space, a fraction, another suffix) or over
   SIZE_MAX_BYTES. */
int size_parse(const char *s, uint64_t *bytes);

#endif
