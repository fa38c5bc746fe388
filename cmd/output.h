/*
 * output.h - a big-block writer for the results stream.
 *
 * Records are appended to one large buffer that goes out with write(2)
 * when it is full, when the pump's flush timer says so (every
 * OUTPUT_FLUSH_MS, so a crash or kill -9 loses at most the records of
 * that interval, and a slow run still shows its records as they come)
 * and at the end.
 */
#ifndef SLUICE_CMD_OUTPUT_H
#define SLUICE_CMD_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#define OUTPUT_BUFSIZE (256 * 1024)

/* The longest a record waits in the buffer (a build may set another, to
   measure what the interval costs). */
#ifndef OUTPUT_FLUSH_MS
#define OUTPUT_FLUSH_MS 200
#endif

struct output;

/* A writer on fd (closed by output_close() when own_fd).  NULL when memory
   ran out. */
struct output *output_new(int fd, bool own_fd);

/* Appends data.  Returns 0, or -1 once a write has failed (errno is that
   of the failed write, and every later call fails the same way). */
int output_write(struct output *out, const char *data, size_t len);

/* Writes everything buffered (no system call when nothing is). */
int output_flush(struct output *out);

/* The errno of the first failed write, or 0. */
int output_error(const struct output *out);

/* Flushes, closes and frees.  Returns 0 or -1 (errno set) when the final
   flush or close failed.  NULL is a no-op. */
int output_close(struct output *out);

#endif
