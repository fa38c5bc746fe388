/*
 * input.h - a streaming reader of URL lists.
 *
 * Reads a file descriptor in large blocks and hands out one URL line at a
 * time, so memory stays constant however long the list is: at most one
 * buffer of INPUT_BUFSIZE bytes per open input.
 */
#ifndef SLUICE_CMD_INPUT_H
#define SLUICE_CMD_INPUT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Lines longer than this (in bytes, before trimming, without the line
   end) are not URLs: input_next() reports them with too_long set.  (The
   fuzzer builds with small values, so that its inputs reach the
   too-long paths.) */
#ifndef INPUT_MAX_LINE
#define INPUT_MAX_LINE (64 * 1024)
#endif

/* How much of a too-long line input_next() keeps, for the record. */
#ifndef INPUT_LONG_PREFIX
#define INPUT_LONG_PREFIX 256
#endif

struct input;

struct input_line {
  const char *data; /* the trimmed line; NOT NUL-terminated; valid until
                       the next input_next() or input_close() */
  size_t len;
  uint64_t lineno;  /* 1-based line number in this input */
  bool too_long;    /* data is only the first INPUT_LONG_PREFIX bytes */
  uint64_t raw_len; /* for too_long: the whole line's length in bytes */
  bool has_nul;     /* the line contains a NUL byte */
};

/* Reads from fd; when own_fd is true, input_close() closes it.  NULL when
   memory ran out. */
struct input *input_new(int fd, bool own_fd);

/* Reads through fn instead of read(2): fn(ud, buf, n) returns as read(2)
   does (bytes, 0 at the end, -1 with errno).  For the fuzzer, which feeds
   the line splitting from memory in pieces of its choosing. */
typedef long input_read_fn(void *ud, char *buf, size_t n);
struct input *input_new_reader(input_read_fn *fn, void *ud);

/* The next URL line, skipping blank lines and '#' comments after trimming
   leading and trailing whitespace (so CRLF line ends are fine), and a
   UTF-8 byte-order mark at the very start of the input (editors on
   Windows write one).  Returns 1 with *line set, 0 at the end of the
   input, -1 on a read error (errno set; the input then stays at its
   end). */
int input_next(struct input *in, struct input_line *line);

/* While *flag is non-zero, a read interrupted by a signal is not retried:
   input_next() returns -1 with errno EINTR.  flag may be NULL (always
   retry, the default). */
void input_set_stop(struct input *in, volatile sig_atomic_t *flag);

void input_close(struct input *in);

#endif
