/*
 * clobber.h - refuses a run whose output files are one of its inputs.
 */
#ifndef SLUICE_CMD_CLOBBER_H
#define SLUICE_CMD_CLOBBER_H

#include "input.h"

/* A file the run writes: the option that names it, and its path (NULL:
   not given). */
struct clobber_out {
  const char *opt;
  const char *path;
};

/* 0 when no output is the same file as an input or as another output;
   else -1 after saying which on stderr (a usage error).  Call it before
   anything is opened for writing. */
int clobber_check(const struct clobber_out *outs, int nouts,
                  struct input *const *ins, const char *const *names,
                  int nins);

#endif
