/*
 * resume.h - --resume: what the results file of an earlier run holds,
 * the check that the input is the list it was made from, and the URLs it
 * lacks.
 */
#ifndef SLUICE_CMD_RESUME_H
#define SLUICE_CMD_RESUME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "input.h"

struct resume_seen;

struct resume {
  char *path;       /* the results file */
  off_t whole;      /* bytes of its whole lines: a torn last one is cut */
  uint64_t n;       /* 1 + the highest index with a record; 0: none */
  uint64_t records; /* indexes with a record */
  struct resume_seen *seen; /* the records, until the check is through */
  struct sl_buf holes;      /* the lines below n without a record */
  size_t hole_at;           /* the next one to hand out */
  struct sl_buf norm;       /* scratch: a URL as a record holds it */
};

/* What resume_load() says besides 0. */
#define RESUME_NOT_RESULTS (-1) /* a usage error: exit 2 */
#define RESUME_FAILED      (-2) /* could not read it: exit 3 */

/* Reads the results file at path (a missing one holds nothing).  0, or
   after saying why on stderr RESUME_NOT_RESULTS (it cannot be opened, a
   line before the last is not a record, two records of one index have
   different URLs) or RESUME_FAILED (a read error, out of memory).
   Release with resume_free() either way. */
int resume_load(struct resume *rs, const char *path);

/* The check, for the line of index (< rs->n) as the input has it: 1 when
   the file has its record (the same URL: skip it), 0 when it has none
   (fetch it), -1 when it has another URL there (not the same list). */
int resume_match(struct resume *rs, uint64_t index, const char *url,
                 size_t len);

/* Keeps a line the file has no record for (resume_match() said 0), to be
   fetched once the check is through.  0, or -1 when memory ran out. */
int resume_hold(struct resume *rs, uint64_t index,
                const struct input_line *line);

/* The check is through: the per-index hashes go. */
void resume_checked(struct resume *rs);

/* The next line kept by resume_hold(), in order: true with *index and
 *line set (valid until the next call), false when none is left. */
bool resume_next_hole(struct resume *rs, uint64_t *index,
                      struct input_line *line);

/* Opens the results file for appending, its torn last line cut off.  The
   descriptor, or -1 with errno set. */
int resume_open(const struct resume *rs);

void resume_free(struct resume *rs);

#endif
