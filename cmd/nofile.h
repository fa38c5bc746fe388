/*
 * nofile.h - room for the file descriptors a run needs: one socket per
 * transfer at once (-j), and a few more for DNS, the input, the results
 * and the event loop.  Many systems start programs with a soft limit of
 * 1024 open files under a much higher hard one, so -j 2000 would run out
 * (each URL past the limit failing, kind internal, "out of file
 * descriptors"); the soft limit is raised towards the hard one instead,
 * as servers do.
 */
#ifndef SLUICE_CMD_NOFILE_H
#define SLUICE_CMD_NOFILE_H

/* Raises the soft RLIMIT_NOFILE, if need be and as far as the hard limit
   allows, to fit `transfers` at once.  Nothing is said when it cannot:
   the URLs that find no descriptor say so in their records. */
void nofile_raise(unsigned transfers);

#endif
