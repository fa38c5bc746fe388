/*
 * pump.h - streams URLs into tasks and finished tasks into records.
 *
 * The pump keeps at most max_live tasks alive.  It starts that many, then
 * each done callback writes its record, frees the task and reads just
 * enough input to start the next ones, so memory is bounded by max_live
 * whatever the length of the input.  Regular files are read with plain
 * reads; other inputs (pipes, terminals) are live: read on the loop as
 * their lines come (sl_add_reader), so a slow producer stalls nothing.
 * With --ordered, a record that finished early also holds its place in
 * that window until it is written.
 *
 * A run may be halted early: by --deadline, --fail-fast, --first, a
 * signal, or results that cannot be written.  Everything live is then
 * cancelled and still gets its record; pump_drain() afterwards gives the
 * URLs not yet read a "cancelled" record each (except after a signal or
 * an output failure, where reading simply stops).
 */
#ifndef SLUICE_CMD_PUMP_H
#define SLUICE_CMD_PUMP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <sluice.h>

#include "input.h"
#include "output.h"
#include "record.h"
#include "reorder.h"
#include "resume.h"
#include "save.h"
#include "summary.h"

struct job;

/* What the command line asks of the run. */
struct pump_policy {
  bool ordered;             /* records in input order */
  bool fail_fast;           /* halt at the first record that is not ok */
  bool first;               /* halt at the first record that is ok */
  long timeout_ms;          /* per request; 0 = none */
  long connect_timeout_ms;  /* 0 = curl's default */
  long deadline_ms;         /* the whole run; 0 = none */
  const char *deadline_arg; /* as the user wrote it, for the message */

  /* Every URL's request (what sl_request takes). */
  const char *method; /* -X; NULL: GET, or POST with a body */
  bool head;          /* -I */
  bool follow;        /* -L */
  long max_redirects; /* 0: the library's (10) */
  bool compressed;    /* ask for every coding, decode it */
  uint64_t max_body;  /* --max-filesize; 0: none */
  const char *body;   /* -d, --data-binary; NULL: none */
  size_t body_len;
  const char *body_file; /* one --data-binary @FILE, streamed */
  struct saver *saver;   /* --output-dir; NULL: bodies only counted */
};

/* Why the run stopped early. */
enum pump_halt {
  PUMP_RUNNING = 0, /* it did not */
  PUMP_DEADLINE,
  PUMP_FAIL_FAST,
  PUMP_FIRST,
  PUMP_SIGNAL,
  PUMP_OUTPUT /* results could not be written */
};

struct pump {
  sl_ctx *ctx;
  struct output *out;
  struct summary *sum;
  unsigned max_live;
  struct pump_policy policy;

  char **urls; /* URL arguments, taken first */
  int nurls, next_url;
  struct input **inputs; /* then these, in order */
  const char **input_names;
  int ninputs, cur_input;
  volatile sig_atomic_t *stop_flag; /* set by a signal: stop reading */

  uint64_t next_index;
  uint64_t next_seq;     /* URLs started (or recorded) by this run */
  struct resume *resume; /* --resume: the URLs the results lacked */
  unsigned live;
  int wait_fd;       /* the current input is live and needs reading, or -1 */
  int watch_fd;      /* the fd with a reader on the loop, or -1 */
  bool input_done;   /* every source is exhausted (or failed) */
  bool stopped;      /* start nothing more */
  bool fatal;        /* the run could not complete: exit status 3 */
  bool write_failed; /* a write of the results failed (and was reported) */
  enum pump_halt halt;
  char *halt_msg;    /* why, for records and stderr; NULL: a fallback */
  sl_timer *timer;   /* the --deadline timer, until it fires */
  sl_timer *flush;   /* writes the records out every OUTPUT_FLUSH_MS */
  struct reorder ro; /* with policy.ordered */
  struct sl_buf rec;
  struct job *jobs, *jobs_tail; /* the live tasks, newest first, for
                                  cancelling them all */
};

void pump_init(struct pump *p, sl_ctx *ctx, struct output *out,
               struct summary *sum, unsigned max_live);

/* Sets the policy (copied; deadline_arg must outlive the pump).  0, or -1
   when memory ran out (for --ordered's ring). */
int pump_set_policy(struct pump *p, const struct pump_policy *policy);

/* Sources, read in the order URL arguments first, then inputs.  While
 *stop_flag is set (it may be NULL) no more input is read. */
void pump_set_urls(struct pump *p, char **urls, int nurls);
void pump_set_inputs(struct pump *p, struct input **inputs, const char **names,
                     int ninputs);
void pump_set_stop_flag(struct pump *p, volatile sig_atomic_t *stop_flag);

/* The output, when it is opened after pump_init() (--resume). */
void pump_set_output(struct pump *p, struct output *out);

/* --resume, before pump_run(): reads the sources from the start through
   the highest index rs has a record for (with plain reads), checking
   that each URL with a record is the record's; those without one are
   fetched first by pump_run(), then the sources go on.  rs must outlive
   the pump.  0; PUMP_RESUME_OTHER_LIST when the input is not the list
   the results were made from (said on stderr, path naming the file);
   PUMP_RESUME_FAILED when reading failed, a signal stopped it or memory
   ran out (said; p->fatal unless it was the signal). */
#define PUMP_RESUME_OTHER_LIST (-1)
#define PUMP_RESUME_FAILED     (-2)
int pump_resume(struct pump *p, struct resume *rs, const char *path);

/* Fetches everything, or until halted: returns when every URL read has
   its record.  0, or -1 when the run could not complete (p->fatal; a
   message was printed). */
int pump_run(struct pump *p);

/* After pump_run(): when --deadline, --fail-fast or --first halted the
   run, reads the rest of the input and writes one "cancelled" record per
   URL without fetching it, until the input ends or *stop_flag is set. */
void pump_drain(struct pump *p);

/* Halts the run for signal signum (from the loop): cancels everything
   live and stops reading. */
void pump_interrupt(struct pump *p, int signum);

/* What the pump knows of one of its tasks, for the progress line and the
   SIGUSR1 dump. */
struct pump_task_info {
  uint64_t index;  /* the URL's index */
  const char *url; /* as in the input (not NUL-terminated) */
  size_t url_len;
  int64_t born; /* when it was read: CLOCK_MONOTONIC, ns (pump_now()) */
};

/* Fills *out for t, a task the pump started (from sl_ctx_foreach_task):
   true, or false when t is not the pump's. */
bool pump_task_info(const struct pump *p, sl_task *t,
                    struct pump_task_info *out);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t pump_now(void);

/* Why the run was halted, or NULL when it was not. */
const char *pump_halt_message(const struct pump *p);

/* Stops starting tasks; done callbacks still write their records.  Call
   before sl_ctx_free(). */
void pump_stop(struct pump *p);

void pump_free(struct pump *p);

#endif
