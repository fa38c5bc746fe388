/*
 * inflight.h - what SIGUSR1 prints: every URL in flight, and the run
 * goes on.
 */
#ifndef SLUICE_CMD_INFLIGHT_H
#define SLUICE_CMD_INFLIGHT_H

#include <sluice.h>

#include "pump.h"

/* Writes on fd a heading and one line per live task of the pump, oldest
   first: its index, state, age, body bytes so far and URL (escaped for
   the terminal), e.g.
     sluice: 2 URLs in flight (SIGUSR1):
     sluice:   #12 running 2.3 s 10240 bytes http://a.test/big
     sluice:   #15 pending 0.1 s 0 bytes http://b.test/x
   0, or -1 when memory ran out or the write failed. */
int inflight_dump(sl_ctx *ctx, const struct pump *p, int fd);

#endif
