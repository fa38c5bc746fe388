/*
 * nofile.c - room for the file descriptors a run needs.  See nofile.h.
 */
#include "nofile.h"

#include <sys/resource.h>

/* Descriptors besides the transfers' sockets: DNS sockets, inputs,
   results, the loop's epoll and signal pipes, stdio, and some slack. */
#define NOFILE_EXTRA 64

void nofile_raise(unsigned transfers)
{
  struct rlimit rl;
  rlim_t want = (rlim_t)transfers + NOFILE_EXTRA;

  if(getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
    return;
  rl.rlim_cur =
      rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
  setrlimit(RLIMIT_NOFILE, &rl);
}
