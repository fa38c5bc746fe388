/*
 * save.c - bodies to disk below --output-dir.  See save.h.
 *
 * Writes are plain blocking write(2)s from the body callback, on the
 * loop: a local disk takes a piece much faster than the network brings
 * it.  One file is open per body in progress (at most the transfers
 * running), and each name's directory is opened once per body.
 */
#include "save.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "savename.h"

#define VARIANTS_MAX 100000 /* names tried before giving up */

int saver_open(struct saver *s, const char *dir, const char *tpl,
               bool keep_partial, const char **why)
{
  s->tpl = tpl;
  s->keep_partial = keep_partial;
  s->pid = (long)getpid();
  if(mkdir(dir, 0777) && errno != EEXIST) {
    *why = "cannot make the directory";
    return -1;
  }
  s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(s->dirfd < 0) {
    *why = "cannot open the directory";
    return -1;
  }
  return 0;
}

void saver_close(struct saver *s)
{
  if(s->dirfd >= 0) {
    close(s->dirfd);
  }
  s->dirfd = -1;
}

void saving_init(struct saving *f)
{
  memset(f, 0, sizeof(*f));
  f->fd = f->dirfd = -1;
}

/* Sets f->why to "WHAT 'NAME': strerror(errno)" and returns it. */
static const char *fail(struct saving *f, const char *what)
{
  snprintf(f->why, sizeof(f->why), "%s '%.400s': %s", what,
           f->name.p ? f->name.p : "", strerror(errno));
  return f->why;
}

/* Opens (making it when missing) the directory comp[0..n) in dirfd,
   never through a symlink.  The new fd, or -1. */
static int open_dir(int dirfd, const char *comp, size_t n)
{
  char part[SAVENAME_COMPONENT_MAX + 1];
  int fd;
  memcpy(part, comp, n);
  part[n] = '\0';
  fd = openat(dirfd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if(fd < 0 && errno == ENOENT &&
     (!mkdirat(dirfd, part, 0777) || errno == EEXIST)) {
    fd = openat(dirfd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  }
  return fd;
}

/* Opens the directories of f->name one by one: f->dirfd is the last
   one's.  0, or -1 with errno set. */
static int open_dirs(const struct saver *s, struct saving *f)
{
  const char *comp = f->name.p, *slash;
  int fd = s->dirfd;
  while((slash = strchr(comp, '/'))) {
    int next = open_dir(fd, comp, (size_t)(slash - comp));
    int err = errno;
    if(fd != s->dirfd) {
      close(fd);
    }
    if(next < 0) {
      errno = err;
      return -1;
    }
    fd = next;
    comp = slash + 1;
  }
  f->dirfd = fd == s->dirfd ? dup(fd) : fd;
  f->leaf = (size_t)(comp - f->name.p);
  return f->dirfd < 0 ? -1 : 0;
}

/* Names the body's file and makes its temporary file. */
static const char *create(const struct saver *s, struct saving *f,
                          const char *url, size_t url_len, uint64_t index)
{
  sl_buf_truncate(&f->name, 0);
  if(savename_make(&f->name, s->tpl, url, url_len, index)) {
    errno = ENOMEM;
    return fail(f, "cannot name the file for");
  }
  if(open_dirs(s, f)) {
    return fail(f, "cannot make the directories of");
  }
  for(int i = 0; i < 100; i++) { /* one left by a crash of this pid */
    snprintf(f->tmp, sizeof(f->tmp), ".sluice-%ld-%llu-%d", s->pid,
             (unsigned long long)index, i);
    f->fd = openat(f->dirfd, f->tmp,
                   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if(f->fd >= 0 || errno != EEXIST) {
      break;
    }
  }
  return f->fd < 0 ? fail(f, "cannot create a file for") : NULL;
}

static int write_all(int fd, const char *p, size_t len)
{
  while(len) {
    ssize_t n = write(fd, p, len);
    if(n < 0 && errno == EINTR) {
      continue;
    }
    if(n < 0) {
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

const char *saving_write(const struct saver *s, struct saving *f,
                         const char *url, size_t url_len, uint64_t index,
                         const char *data, size_t len)
{
  if(f->fd < 0) {
    if(!data) {
      return NULL; /* nothing written yet */
    }
    if(create(s, f, url, url_len, index)) {
      return f->why;
    }
  }
  if(!data) {
    if(ftruncate(f->fd, 0) || lseek(f->fd, 0, SEEK_SET) < 0) {
      return fail(f, "cannot start over");
    }
    return NULL;
  }
  return write_all(f->fd, data, len) ? fail(f, "writing") : NULL;
}

/* Gives the temporary file the name leaf (in f->dirfd) without replacing
   a file: renameat2's RENAME_NOREPLACE, or where the file system has
   none, a link and an unlink.  0, or -1 with errno (EEXIST: taken). */
static int name_file(struct saving *f, const char *leaf)
{
  if(!renameat2(f->dirfd, f->tmp, f->dirfd, leaf, RENAME_NOREPLACE)) {
    return 0;
  }
  if(errno != EINVAL && errno != ENOSYS) {
    return -1;
  }
  if(linkat(f->dirfd, f->tmp, f->dirfd, leaf, 0)) {
    return -1;
  }
  unlinkat(f->dirfd, f->tmp, 0);
  return 0;
}

/* Names the file f->name plus suffix, or its first free variant; then
   f->name is the name it got.  0, or -1 with errno set. */
static int name_free(struct saving *f, const char *suffix)
{
  struct sl_buf base = {0}, alt = {0};
  int rc = -1;
  if(sl_buf_puts(&base, f->name.p) || sl_buf_puts(&base, suffix)) {
    errno = ENOMEM;
    goto done;
  }
  for(unsigned n = 0; n <= VARIANTS_MAX; n++) {
    sl_buf_truncate(&alt, 0);
    if(n ? savename_variant(&alt, base.p, n) : sl_buf_puts(&alt, base.p)) {
      errno = ENOMEM;
      break;
    }
    if(!(rc = name_file(f, alt.p + f->leaf)) || errno != EEXIST) {
      break;
    }
  }
  if(!rc) {
    sl_buf_truncate(&f->name, 0);
    rc = sl_buf_puts(&f->name, alt.p);
  }
done:
  sl_buf_free(&base);
  sl_buf_free(&alt);
  return rc;
}

/* Closes the temporary file, which is complete. */
static int close_file(struct saving *f)
{
  int rc = close(f->fd);
  f->fd = -1;
  return rc;
}

const char *saving_keep(const struct saver *s, struct saving *f,
                        const char *url, size_t url_len, uint64_t index,
                        const char **file)
{
  if(f->fd < 0 && create(s, f, url, url_len, index)) {
    return f->why;
  }
  if(close_file(f)) {
    return fail(f, "writing");
  }
  if(name_free(f, "")) {
    return fail(f, "cannot name the file");
  }
  f->tmp[0] = '\0';
  *file = f->name.p;
  return NULL;
}

void saving_drop(const struct saver *s, struct saving *f, const char **file)
{
  *file = NULL;
  if(f->fd < 0) {
    return;
  }
  close_file(f);
  if(s->keep_partial && !name_free(f, ".part")) {
    *file = f->name.p;
  } else {
    unlinkat(f->dirfd, f->tmp, 0);
  }
  f->tmp[0] = '\0';
}

void saving_free(struct saving *f)
{
  if(f->fd >= 0) {
    close(f->fd);
  }
  if(f->dirfd >= 0) {
    if(f->tmp[0]) {
      unlinkat(f->dirfd, f->tmp, 0);
    }
    close(f->dirfd);
  }
  sl_buf_free(&f->name);
  saving_init(f);
}
