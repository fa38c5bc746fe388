/*
 * progress.h - the progress line: one line on a terminal (stderr),
 * redrawn by a timer on the loop at most ten times a second, cleared
 * before the summary.
 */
#ifndef SLUICE_CMD_PROGRESS_H
#define SLUICE_CMD_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include <sluice.h>

#include "base/buf.h"
#include "input.h"
#include "pump.h"
#include "summary.h"

#define PROGRESS_TICK_MS 100 /* at most 10 redraws a second */
#define PROGRESS_WINDOW  50  /* ticks the rates are taken over: 5 s */

struct progress_sample {
  int64_t t; /* pump_now() */
  uint64_t done, requests, bytes;
};

struct progress {
  sl_ctx *ctx;
  const struct pump *pump;
  const struct summary *sum;
  int fd;         /* where it is drawn (stderr) */
  uint64_t total; /* URLs in the input, or 0 when unknown */
  sl_timer *timer;
  bool drawn;  /* a line is on the screen */
  bool broken; /* a write failed: draw no more */
  struct progress_sample ring[PROGRESS_WINDOW + 1];
  unsigned head, n; /* the newest sample's slot, samples kept */
  struct sl_buf line;
};

/* A progress line for the pump's run on fd; total as progress_count()
   gives it. */
void progress_init(struct progress *pg, sl_ctx *ctx, const struct pump *p,
                   const struct summary *sum, int fd, uint64_t total);

/* The URLs of the run when every input is a regular file (counted from a
   second descriptor of each, as the pump will read them: blank lines and
   comments skipped), plus nurls; 0 when one is not (a pipe). */
uint64_t progress_count(struct input *const *ins, int nins, int nurls);

/* Starts drawing (the first line a tick from now).  SL_OK, or SL_ENOMEM
   (then nothing is drawn). */
int progress_start(struct progress *pg);

/* Erases the line, if one is drawn, so that something else can be
   written on stderr; the next tick draws it again. */
void progress_clear(struct progress *pg);

/* Stops drawing and erases the line. */
void progress_stop(struct progress *pg);

void progress_free(struct progress *pg);

#endif
