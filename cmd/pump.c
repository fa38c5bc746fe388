/*
 * pump.c - the fetch loop of the sluice command: input lines in, one
 * task per URL, one record per task out.
 *
 * Input is read only when a task finishes and frees a slot, from that
 * task's done callback, so a million-line list runs in the memory of
 * max_live tasks.  Every URL line yields exactly one record: the library
 * turns a malformed URL into a failed task, and the few lines it is never
 * shown (too long, or with a NUL byte in them) get an invalid_url record
 * written here.  The caller's buffers are copied, so records echo the
 * input exactly.
 */
#include "pump.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct job {
  struct pump *pump;
  struct job *prev, *next;
  sl_task *task;
  uint64_t index;
  size_t url_len;
  char url[]; /* NUL-terminated copy of the input */
};

void pump_init(struct pump *p, sl_ctx *ctx, struct output *out,
               struct summary *sum, unsigned max_live)
{
  memset(p, 0, sizeof(*p));
  p->ctx = ctx;
  p->out = out;
  p->sum = sum;
  p->max_live = max_live ? max_live : 1;
}

void pump_set_urls(struct pump *p, char **urls, int nurls)
{
  p->urls = urls;
  p->nurls = nurls;
  p->next_url = 0;
}

void pump_set_inputs(struct pump *p, struct input **inputs, const char **names,
                     int ninputs)
{
  p->inputs = inputs;
  p->input_names = names;
  p->ninputs = ninputs;
  p->cur_input = 0;
}

/* Cancels every live task; their records still come, with kind
   cancelled. */
static void cancel_all(struct pump *p, const char *why)
{
  struct job *j = p->jobs;

  while(j) {
    struct job *next = j->next;
    sl_task_cancel(j->task, why);
    j = next;
  }
}

void pump_stop(struct pump *p)
{
  p->stopped = true;
}

/* Writes one record and counts it. */
static void emit(struct pump *p, const struct record *r, int kind)
{
  if(r->ok) {
    summary_add_ok(p->sum, r->bytes);
  } else if(r->has_status && r->status >= 400) {
    summary_add_http_error(p->sum, r->bytes);
  } else {
    summary_add_failed(p->sum, kind, r->error_kind);
  }

  if(output_error(p->out)) {
    return; /* already reported; the run is winding down */
  }
  p->rec.len = 0;
  if(record_format(&p->rec, r)) {
    fprintf(stderr, "sluice: out of memory formatting record %" PRIu64 "\n",
            r->index);
    p->fatal = true;
    return;
  }
  if(output_write(p->out, p->rec.data, p->rec.len) || output_tick(p->out)) {
    fprintf(stderr, "sluice: writing results: %s\n", strerror(errno));
    p->fatal = true;
    p->stopped = true;
    cancel_all(p, "results could not be written");
  }
}

/* A record for a URL that never became a task. */
static void emit_failure(struct pump *p, uint64_t index, const char *url,
                         size_t url_len, enum sl_error_kind kind,
                         const char *msg)
{
  struct record r = {0};

  r.index = index;
  r.url = url;
  r.url_len = url_len;
  r.error_kind = sl_error_kind_name(kind);
  r.error_msg = msg;
  emit(p, &r, (int)kind);
}

static void refill(struct pump *p);

static void on_done(sl_task *t, void *ud)
{
  struct job *job = ud;
  struct pump *p = job->pump;
  const struct sl_response *resp = NULL;
  const struct sl_error *err = NULL;
  struct record r = {0};
  int kind = SL_ERR_NONE;

  if(sl_task_response(t, &resp) != SL_OK) {
    resp = NULL;
  }
  if(sl_task_error(t, &err) != SL_OK) {
    err = NULL;
  }
  r.index = job->index;
  r.url = job->url;
  r.url_len = job->url_len;
  if(resp) {
    r.has_status = true;
    r.status = resp->status;
    r.bytes = resp->bytes;
    r.has_time = true;
    r.time_ms = resp->timing.total_ms;
  }
  if(err && err->kind != SL_ERR_NONE) {
    kind = (int)err->kind;
    r.error_kind = sl_error_kind_name(err->kind);
    r.error_msg = err->message;
  } else if(!resp) {
    kind = SL_ERR_INTERNAL;
    r.error_kind = sl_error_kind_name(SL_ERR_INTERNAL);
    r.error_msg = "the task ended with neither a response nor an error";
  }
  r.ok = resp && !r.error_kind && resp->status < 400;
  emit(p, &r, kind);

  if(job->prev) {
    job->prev->next = job->next;
  } else {
    p->jobs = job->next;
  }
  if(job->next) {
    job->next->prev = job->prev;
  }
  free(job);
  sl_task_free(t);
  p->live--;
  refill(p);
}

/* Starts the task for one URL (url NUL-terminated, url_len its length). */
static void start(struct pump *p, const char *url, size_t url_len)
{
  uint64_t index = p->next_index++;
  struct sl_request req = {0};
  struct job *job;
  sl_task *t;
  char msg[128];

  job = malloc(sizeof(*job) + url_len + 1);
  if(!job) {
    emit_failure(p, index, url, url_len, SL_ERR_INTERNAL, "out of memory");
    return;
  }
  job->pump = p;
  job->index = index;
  job->url_len = url_len;
  memcpy(job->url, url, url_len);
  job->url[url_len] = '\0';

  req.url = job->url;
  req.userdata = job;
  t = sl_fetch(p->ctx, &req);
  if(!t) {
    snprintf(msg, sizeof(msg), "cannot start the request: %s",
             strerror(errno));
    emit_failure(p, index, url, url_len, SL_ERR_INTERNAL, msg);
    free(job);
    return;
  }
  if(sl_task_on_done(t, on_done, job) != SL_OK) {
    sl_task_cancel(t, NULL);
    sl_task_free(t);
    emit_failure(p, index, url, url_len, SL_ERR_INTERNAL,
                 "cannot watch the request: out of memory");
    free(job);
    return;
  }
  job->task = t;
  job->prev = NULL;
  job->next = p->jobs;
  if(p->jobs) {
    p->jobs->prev = job;
  }
  p->jobs = job;
  p->live++;
}

/* Handles one line from an input: starts it, or writes the record of a
   line that cannot be a URL. */
static void start_line(struct pump *p, const struct input_line *line)
{
  char msg[160];

  if(line->too_long) {
    snprintf(msg, sizeof(msg),
             "line %" PRIu64 " is %" PRIu64 " bytes long, over the limit "
             "of %d (url shows its first %d bytes)",
             line->lineno, line->raw_len, INPUT_MAX_LINE, INPUT_LONG_PREFIX);
    emit_failure(p, p->next_index++, line->data, line->len, SL_ERR_INVALID_URL,
                 msg);
    return;
  }
  if(line->has_nul) {
    snprintf(msg, sizeof(msg), "line %" PRIu64 " contains a NUL byte",
             line->lineno);
    emit_failure(p, p->next_index++, line->data, line->len, SL_ERR_INVALID_URL,
                 msg);
    return;
  }
  /* input_next() hands out the line in its own buffer, not terminated:
     start() copies it, and sl_fetch() gets the copy */
  start(p, line->data, line->len);
}

/* Reads input and starts tasks until max_live are live or the input ends.
   Input files are read with blocking reads from here: waiting for a slow
   pipe delays the loop, which is what an input-bound run wants anyway. */
static void refill(struct pump *p)
{
  while(!p->input_done && !p->stopped && p->live < p->max_live) {
    if(p->next_url < p->nurls) {
      const char *u = p->urls[p->next_url++];
      start(p, u, strlen(u));
    } else if(p->cur_input < p->ninputs) {
      struct input_line line;
      int rc = input_next(p->inputs[p->cur_input], &line);

      if(rc > 0) {
        start_line(p, &line);
      } else if(rc == 0) {
        p->cur_input++;
      } else {
        fprintf(stderr, "sluice: reading %s: %s\n",
                p->input_names[p->cur_input], strerror(errno));
        p->fatal = true;
        p->input_done = true;
      }
    } else {
      p->input_done = true;
    }
  }
}

int pump_run(struct pump *p)
{
  int rc;

  refill(p);
  rc = sl_run(p->ctx);
  if(rc != SL_OK) {
    fprintf(stderr, "sluice: the event loop failed: %s\n", sl_strerror(rc));
    p->fatal = true;
  } else if(p->live) {
    fprintf(stderr, "sluice: internal error: %u tasks still live\n", p->live);
    p->fatal = true;
  }
  p->stopped = true;
  return p->fatal ? -1 : 0;
}

void pump_free(struct pump *p)
{
  recbuf_free(&p->rec);
}
