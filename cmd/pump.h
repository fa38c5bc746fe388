/*
 * pump.h - streams URLs into tasks and finished tasks into records.
 *
 * The pump keeps at most max_live tasks alive.  It starts that many, then
 * each done callback writes its record, frees the task and reads just
 * enough input to start the next ones, so memory is bounded by max_live
 * whatever the length of the input.
 */
#ifndef SLUICE_CMD_PUMP_H
#define SLUICE_CMD_PUMP_H

#include <stdbool.h>
#include <stdint.h>

#include <sluice.h>

#include "input.h"
#include "output.h"
#include "record.h"
#include "summary.h"

struct job;

struct pump {
  sl_ctx *ctx;
  struct output *out;
  struct summary *sum;
  unsigned max_live;

  char **urls; /* URL arguments, taken first */
  int nurls, next_url;
  struct input **inputs; /* then these, in order */
  const char **input_names;
  int ninputs, cur_input;

  uint64_t next_index;
  unsigned live;
  bool input_done; /* every source is exhausted (or failed) */
  bool stopped;    /* start nothing more: output failed or shutting down */
  bool fatal;      /* the run could not complete: exit status 3 */
  struct recbuf rec;
  struct job *jobs; /* the live tasks, for cancelling them all */
};

void pump_init(struct pump *p, sl_ctx *ctx, struct output *out,
               struct summary *sum, unsigned max_live);

/* Sources, read in the order URL arguments first, then inputs. */
void pump_set_urls(struct pump *p, char **urls, int nurls);
void pump_set_inputs(struct pump *p, struct input **inputs, const char **names,
                     int ninputs);

/* Fetches everything: returns when every URL has its record.  0, or -1
   when the run could not complete (p->fatal; a message was printed). */
int pump_run(struct pump *p);

/* Stops starting tasks; done callbacks still write their records.  Call
   before sl_ctx_free(). */
void pump_stop(struct pump *p);

void pump_free(struct pump *p);

#endif
