/*
 * data.c - the body of -d and --data-binary.  See data.h.
 *
 * Read once, before the first request: every request sends the same
 * bytes (the library copies them per request, so one large body is
 * better streamed with a single --data-binary @FILE).
 */
#include "data.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int data_add(struct data_args *d, const char *arg, bool binary)
{
  char b = binary ? 1 : 0;
  if(sl_opt_list_add(&d->args, arg) || sl_buf_append(&d->binary, &b, 1)) {
    return -1;
  }
  return 0;
}

bool data_reads_stdin(const struct data_args *d)
{
  for(size_t i = 0; i < d->args.n; i++) {
    if(!strcmp(d->args.v[i], "@-")) {
      return true;
    }
  }
  return false;
}

/* Appends what fd holds; for -d without its CR and LF bytes. */
static int read_into(struct sl_buf *body, int fd, bool binary)
{
  char chunk[65536];
  ssize_t n;
  while((n = read(fd, chunk, sizeof(chunk))) != 0) {
    if(n < 0 && errno == EINTR) {
      continue;
    }
    if(n < 0) {
      return -1;
    }
    if(binary) {
      if(sl_buf_append(body, chunk, (size_t)n)) {
        return -1;
      }
      continue;
    }
    for(ssize_t i = 0; i < n; i++) {
      if(chunk[i] != '\r' && chunk[i] != '\n' &&
         sl_buf_append(body, chunk + i, 1)) {
        return -1;
      }
    }
  }
  return 0;
}

/* Appends one piece: its text, or "@FILE"'s contents. */
static int add_piece(struct sl_buf *body, const char *arg, bool binary)
{
  const char *path = arg + 1;
  int fd, rc, err;
  if(*arg != '@') {
    return sl_buf_puts(body, arg);
  }
  fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
  if(fd < 0) {
    return -1;
  }
  rc = read_into(body, fd, binary);
  err = errno;
  if(fd != STDIN_FILENO) {
    close(fd);
  }
  errno = err;
  return rc;
}

int data_build(const struct data_args *d, struct sl_buf *body,
               const char **file, char *msg, size_t msg_size)
{
  const char *a = d->args.n ? d->args.v[0] : NULL;
  *file = NULL;
  if(d->args.n == 1 && d->binary.p[0] && a[0] == '@' && strcmp(a, "@-")) {
    *file = a + 1;
    if(!access(*file, R_OK)) {
      return 0;
    }
    snprintf(msg, msg_size, "--data-binary: cannot read '%s': %s", *file,
             strerror(errno));
    return -1;
  }
  /* a body even when all pieces are empty: -d '' posts nothing */
  if(d->args.n && sl_buf_reserve(body, 1)) {
    snprintf(msg, msg_size, "out of memory");
    return -1;
  }
  for(size_t i = 0; i < d->args.n; i++) {
    bool binary = d->binary.p[i];
    if((i && sl_buf_append(body, "&", 1)) ||
       add_piece(body, d->args.v[i], binary)) {
      snprintf(msg, msg_size, "%s: cannot read '%s': %s",
               binary ? "--data-binary" : "--data", d->args.v[i] + 1,
               strerror(errno));
      return -1;
    }
  }
  return 0;
}

void data_free(struct data_args *d)
{
  sl_opt_list_free(&d->args);
  sl_buf_free(&d->binary);
}
