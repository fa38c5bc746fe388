/*
 * data.h - the request body of -d/--data and --data-binary, as curl's
 * command line builds it: the pieces joined with '&' in the order given,
 * "@FILE" read from FILE ("@-" from standard input), and for -d the CR
 * and LF bytes of a file dropped.  One --data-binary @FILE on its own is
 * not read here but streamed from the file by each request.
 */
#ifndef SLUICE_CMD_DATA_H
#define SLUICE_CMD_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/opts.h"

/* The pieces, in order, and which were --data-binary. */
struct data_args {
  struct sl_opt_list args;
  struct sl_buf binary; /* one byte a piece: 1 for --data-binary */
};

/* Adds a piece.  0, or -1 when memory ran out. */
int data_add(struct data_args *d, const char *arg, bool binary);

/* Whether a piece is "@-" (the body reads standard input). */
bool data_reads_stdin(const struct data_args *d);

/* The body: *file set when it is one --data-binary @FILE (checked to be
   readable), else body filled.  0, or -1 with msg (a message naming the
   option and the file). */
int data_build(const struct data_args *d, struct sl_buf *body,
               const char **file, char *msg, size_t msg_size);

void data_free(struct data_args *d);

#endif
