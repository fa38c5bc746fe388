/*
 * input.c - streaming line reader for URL lists.
 *
 * One fixed buffer per input, refilled with read(2) as lines are consumed.
 * A line that does not fit in INPUT_MAX_LINE bytes is not kept: its first
 * bytes are saved and the rest is skipped up to the next newline, so a
 * stray binary file or a giant line costs no memory and is reported as a
 * single bad URL.
 */
#include "input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Room for a full INPUT_MAX_LINE line and its newline, plus slack so that
   short lines are read in big blocks. */
#define INPUT_BUFSIZE (2 * INPUT_MAX_LINE + 1)

struct input {
  int fd;
  bool own_fd;
  input_read_fn *read; /* NULL: read(2) on fd */
  void *read_ud;
  bool eof;
  bool discarding;   /* inside a too-long line, skipping to its end */
  uint64_t lineno;   /* lines consumed so far */
  uint64_t long_len; /* bytes of the too-long line seen so far */
  size_t long_keep;  /* bytes kept in long_prefix */
  size_t start, end; /* unread bytes are buf[start..end) */
  volatile sig_atomic_t *stop; /* see input_set_stop() */
  char long_prefix[INPUT_LONG_PREFIX];
  char buf[INPUT_BUFSIZE];
};

struct input *input_new(int fd, bool own_fd)
{
  struct input *in = calloc(1, sizeof(*in));

  if(in) {
    in->fd = fd;
    in->own_fd = own_fd;
  }
  return in;
}

struct input *input_new_reader(input_read_fn *fn, void *ud)
{
  struct input *in = input_new(-1, false);

  if(in) {
    in->read = fn;
    in->read_ud = ud;
  }
  return in;
}

void input_set_stop(struct input *in, volatile sig_atomic_t *flag)
{
  in->stop = flag;
}

void input_close(struct input *in)
{
  if(!in) {
    return;
  }
  if(in->own_fd) {
    close(in->fd);
  }
  free(in);
}

static bool is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
         c == '\f';
}

/* Fills buf[end..] with one read(2).  Returns the bytes read, 0 at EOF, -1
   on error. */
static ssize_t fill(struct input *in)
{
  ssize_t n;

  if(in->start > 0 && in->start == in->end) {
    in->start = in->end = 0;
  } else if(in->start > 0 && INPUT_BUFSIZE - in->end < INPUT_MAX_LINE + 1) {
    memmove(in->buf, in->buf + in->start, in->end - in->start);
    in->end -= in->start;
    in->start = 0;
  }
  do {
    n = in->read
            ? in->read(in->read_ud, in->buf + in->end, INPUT_BUFSIZE - in->end)
            : read(in->fd, in->buf + in->end, INPUT_BUFSIZE - in->end);
  } while(n < 0 && errno == EINTR && !(in->stop && *in->stop));
  if(n > 0) {
    in->end += (size_t)n;
  }
  return n;
}

/* Saves the first bytes of a too-long line p[0..have) for its record. */
static void save_prefix(struct input *in, const char *p, size_t have)
{
  in->long_keep = have < INPUT_LONG_PREFIX ? have : INPUT_LONG_PREFIX;
  memcpy(in->long_prefix, p, in->long_keep);
  in->long_len = have;
}

/* Classifies a line (or the kept prefix of a too-long one): returns 1
   when it is a URL line, with *line filled, or 0 when it is blank or a
   comment.  Trailing space is trimmed only where the whole line is
   there. */
static int classify(struct input *in, const char *p, size_t len, bool too_long,
                    size_t raw_len, struct input_line *line)
{
  if(!in->lineno++ && len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) {
    p += 3; /* a byte-order mark: not part of the first URL */
    len -= 3;
  }
  while(len && is_space(*p)) {
    p++;
    len--;
  }
  while(!too_long && len && is_space(p[len - 1]))
    len--;
  if(!len || *p == '#')
    return 0;
  line->data = p;
  line->len = len;
  line->lineno = in->lineno;
  line->too_long = too_long;
  line->raw_len = too_long ? raw_len : len;
  line->has_nul = memchr(p, '\0', len) != NULL;
  return 1;
}

static int take_line(struct input *in, const char *p, size_t len,
                     struct input_line *line)
{
  return classify(in, p, len, false, 0, line);
}

/* The too-long line just ended. */
static int take_long_line(struct input *in, struct input_line *line)
{
  return classify(in, in->long_prefix, in->long_keep, true, in->long_len,
                  line);
}

int input_next(struct input *in, struct input_line *line)
{
  for(;;) {
    char *p = in->buf + in->start;
    size_t have = in->end - in->start;
    char *nl = have ? memchr(p, '\n', have) : NULL;
    ssize_t n;

    if(in->discarding) {
      /* inside a too-long line: skip to its newline */
      if(nl) {
        in->long_len += (uint64_t)(nl - p);
        in->start += (size_t)(nl - p) + 1;
        in->discarding = false;
        if(take_long_line(in, line)) {
          return 1;
        }
        continue;
      }
      in->long_len += have;
      in->start = in->end = 0;
      if(in->eof) {
        in->discarding = false;
        return take_long_line(in, line);
      }
    } else if(nl) {
      size_t len = (size_t)(nl - p);

      in->start += len + 1;
      if(len > INPUT_MAX_LINE) {
        save_prefix(in, p, len);
        if(take_long_line(in, line)) {
          return 1;
        }
      } else if(take_line(in, p, len, line)) {
        return 1;
      }
      continue;
    } else if(have > INPUT_MAX_LINE) {
      /* no newline in sight: keep the prefix, drop the rest */
      save_prefix(in, p, have);
      in->start = in->end = 0;
      if(!in->eof) {
        in->discarding = true;
        continue;
      }
      return take_long_line(in, line);
    } else if(in->eof) {
      /* the last line has no newline */
      in->start = in->end = 0;
      return have ? take_line(in, p, have, line) : 0;
    }

    if(in->eof) {
      return 0;
    }
    n = fill(in);
    if(n == 0) {
      in->eof = true;
    } else if(n < 0) {
      int err = errno;
      in->eof = true;
      in->start = in->end = 0;
      in->discarding = false;
      errno = err;
      return -1;
    }
  }
}
