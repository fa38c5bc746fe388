/*
 * output.c - buffered writer for the results stream.
 *
 * write(2) on a plain fd with our own buffer rather than stdio: the buffer
 * is large, flushing is explicit, and a failed write (disk full, a closed
 * pipe) is remembered and reported once instead of being lost in a FILE.
 */
#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct output {
  int fd;
  bool own_fd;
  int err; /* errno of the first failed write */
  size_t len;
  char buf[OUTPUT_BUFSIZE];
};

struct output *output_new(int fd, bool own_fd)
{
  struct output *out = calloc(1, sizeof(*out));

  if(out) {
    out->fd = fd;
    out->own_fd = own_fd;
  }
  return out;
}

static int write_all(struct output *out, const char *p, size_t len)
{
  while(len) {
    ssize_t n = write(out->fd, p, len);
    if(n < 0) {
      if(errno == EINTR) {
        continue;
      }
      out->err = errno;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int output_flush(struct output *out)
{
  int rc;

  if(out->err) {
    errno = out->err;
    return -1;
  }
  rc = write_all(out, out->buf, out->len);
  out->len = 0;
  return rc;
}

int output_write(struct output *out, const char *data, size_t len)
{
  if(out->err) {
    errno = out->err;
    return -1;
  }
  if(len > OUTPUT_BUFSIZE - out->len && output_flush(out)) {
    return -1;
  }
  if(len >= OUTPUT_BUFSIZE) {
    return write_all(out, data, len);
  }
  memcpy(out->buf + out->len, data, len);
  out->len += len;
  return 0;
}

int output_error(const struct output *out)
{
  return out->err;
}

int output_close(struct output *out)
{
  int rc, err;

  if(!out) {
    return 0;
  }
  rc = output_flush(out);
  err = errno;
  if(out->own_fd && close(out->fd) && !rc) {
    rc = -1;
    err = errno;
  }
  free(out);
  errno = err;
  return rc;
}
