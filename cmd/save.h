/*
 * save.h - bodies to disk below --output-dir.
 *
 * Every file is made relative to the directory (openat and friends, the
 * directories of a name opened one by one with O_NOFOLLOW), so a symlink
 * planted anywhere inside it is never followed, and the name itself
 * (savename.h) can never leave it.  A body is written to a temporary
 * file (".sluice-PID-INDEX", created with O_EXCL) next to where it goes
 * and gets its name only once complete, with a rename that never
 * replaces a file: a name that is taken (another URL mapped to it, a
 * file from an earlier run, a planted symlink) gives a variant
 * ("a~1.html"), so every body keeps its own file and a partial body never
 * looks complete.  A body that failed is removed, or with --keep-partial
 * named NAME.part.
 */
#ifndef SLUICE_CMD_SAVE_H
#define SLUICE_CMD_SAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* The directory and how names are made. */
struct saver {
  int dirfd;       /* the directory, open; -1 when closed */
  const char *tpl; /* the template, checked */
  bool keep_partial;
  long pid; /* in temporary names: runs sharing a directory */
};

/* One body on its way to disk. */
struct saving {
  int fd;             /* the temporary file; -1 before the first byte */
  int dirfd;          /* the directory it is in; -1 before */
  struct sl_buf name; /* its name relative to the saver's directory */
  size_t leaf;        /* where the last component of name starts */
  char tmp[64];       /* the temporary file's name in dirfd */
  char why[600];      /* the last error */
};

/* Opens dir (made when missing; its parent must exist).  0, or -1 with
 *why (static) and errno set. */
int saver_open(struct saver *s, const char *dir, const char *tpl,
               bool keep_partial, const char **why);
void saver_close(struct saver *s);

void saving_init(struct saving *f);

/* A piece of the body of url (the index-th record); data NULL: start
   over (a retry).  The file is made at the first piece.  NULL, or why
   not (in f->why). */
const char *saving_write(const struct saver *s, struct saving *f,
                         const char *url, size_t url_len, uint64_t index,
                         const char *data, size_t len);

/* The body is complete: the file (made now when the body was empty) gets
   its name, or a variant of it.  NULL with *file set (relative to the
   directory, valid until saving_free), or why not. */
const char *saving_keep(const struct saver *s, struct saving *f,
                        const char *url, size_t url_len, uint64_t index,
                        const char **file);

/* The body failed: its file is removed, or with keep_partial named
   NAME.part (then *file is set; else NULL). */
void saving_drop(const struct saver *s, struct saving *f, const char **file);

/* Closes what is open and removes a temporary file left; frees f. */
void saving_free(struct saving *f);

#endif
