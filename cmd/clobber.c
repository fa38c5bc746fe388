/*
 * clobber.c - refuses a run whose output files are one of its inputs:
 * `sluice -i list.txt --results list.txt` used to truncate the list
 * before reading it, exit 0, "0 URLs", list gone.  Files are compared by
 * device and inode, so another spelling of the path, a symlink, a hard
 * link and standard input redirected from the file (`< list.txt`, `-i -`)
 * are caught too; an output that does not exist yet is no input.  Two
 * outputs naming one file (--results and --summary-json) are refused as
 * well: each would overwrite the other.
 */
#include "clobber.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static bool same(const struct stat *a, const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Output i against the outputs before it. */
static int check_outputs(const struct clobber_out *outs, int i,
                         const struct stat *st, bool exists)
{
  struct stat other;

  for(int j = 0; j < i; j++) {
    if(!outs[j].path) {
      continue;
    }
    if(!strcmp(outs[j].path, outs[i].path) ||
       (exists && !stat(outs[j].path, &other) && same(st, &other))) {
      fprintf(stderr, "sluice: %s '%s' is the same file as %s '%s'\n",
              outs[i].opt, outs[i].path, outs[j].opt, outs[j].path);
      return -1;
    }
  }
  return 0;
}

int clobber_check(const struct clobber_out *outs, int nouts,
                  struct input *const *ins, const char *const *names, int nins)
{
  struct stat st, in;

  for(int i = 0; i < nouts; i++) {
    bool exists;

    if(!outs[i].path) {
      continue;
    }
    exists = stat(outs[i].path, &st) == 0; /* through symlinks */
    if(check_outputs(outs, i, &st, exists)) {
      return -1;
    }
    for(int k = 0; exists && k < nins; k++) {
      if(!fstat(input_fd(ins[k]), &in) && same(&st, &in)) {
        fprintf(stderr,
                "sluice: %s '%s' is the same file as the input (%s): it "
                "would be written over before it is read\n",
                outs[i].opt, outs[i].path, names[k]);
        return -1;
      }
    }
  }
  return 0;
}
