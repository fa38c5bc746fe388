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
 *
 * Every URL gets the same request (the policy: method, body, flags), and
 * with --output-dir its body goes to its own file as it comes (save.c),
 * named, removed or kept as .part once the task is final.
 *
 * Early ends (--deadline, --fail-fast, --first, signals) all go through
 * halt(): it cancels the live tasks with one message, so their records
 * say why.  --fail-fast cancels the pump's own tasks rather than using an
 * sl_group: a group keeps a reference to every task it ever held until it
 * is freed, which would make memory grow with the input.
 */
#include "pump.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/list.h"
#include "base/term.h"

struct job {
  struct pump *pump;
  struct job *prev, *next;
  sl_task *task;
  uint64_t index;
  struct saving *save; /* with --output-dir */
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

int pump_set_policy(struct pump *p, const struct pump_policy *policy)
{
  p->policy = *policy;
  if(policy->ordered && !p->ro.slots) {
    return reorder_init(&p->ro, p->max_live);
  }
  return 0;
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

void pump_set_stop_flag(struct pump *p, volatile sig_atomic_t *stop_flag)
{
  p->stop_flag = stop_flag;
}

static bool stop_flagged(const struct pump *p)
{
  return p->stop_flag && *p->stop_flag;
}

const char *pump_halt_message(const struct pump *p)
{
  switch(p->halt) {
    case PUMP_RUNNING:
      return NULL;
    case PUMP_DEADLINE:
      return p->halt_msg ? p->halt_msg : "run deadline passed";
    case PUMP_FAIL_FAST:
      return p->halt_msg ? p->halt_msg : "--fail-fast: a URL failed";
    case PUMP_FIRST:
      return p->halt_msg ? p->halt_msg : "--first: a URL answered";
    case PUMP_SIGNAL:
      return p->halt_msg ? p->halt_msg : "interrupted by a signal";
    case PUMP_OUTPUT:
      break;
  }
  return "results could not be written";
}

/* Cancels every live task, pending ones first so that no transfer slot
   freed by a cancelled one starts a task about to be cancelled too.
   Their records still come, with kind cancelled. */
static void cancel_all(struct pump *p, const char *why)
{
  for(int pass = 0; pass < 2; pass++) {
    for(struct job *j = p->jobs; j; j = j->next) {
      if(pass == 1 || sl_task_state(j->task) == SL_PENDING) {
        sl_task_cancel(j->task, why);
      }
    }
  }
}

/* Ends the run early: nothing more starts, everything live is cancelled
   with the reason msg (allocated, taken over; NULL for the fallback).  The
   first reason stays. */
static void halt(struct pump *p, enum pump_halt why, char *msg)
{
  if(p->halt != PUMP_RUNNING) {
    free(msg);
    return;
  }
  p->halt = why;
  p->halt_msg = msg;
  p->stopped = true;
  cancel_all(p, pump_halt_message(p));
}

/* A message built with printf-style arguments, or NULL (out of memory). */
static char *message(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static char *message(const char *fmt, ...)
{
  va_list ap;
  char *s;

  va_start(ap, fmt);
  if(vasprintf(&s, fmt, ap) < 0) {
    s = NULL;
  }
  va_end(ap);
  return s;
}

void pump_interrupt(struct pump *p, int signum)
{
  halt(p, PUMP_SIGNAL,
       message("%s by %s", signum == SIGINT ? "interrupted" : "terminated",
               signum == SIGINT    ? "SIGINT"
               : signum == SIGTERM ? "SIGTERM"
                                   : "a signal"));
}

void pump_stop(struct pump *p)
{
  p->stopped = true;
}

/* A write failed: the run is over (and pump_drain() will not read on,
   since nothing more can be written). */
static void output_failed(struct pump *p)
{
  if(!p->write_failed) {
    fprintf(stderr, "sluice: writing results: %s\n", strerror(errno));
    p->write_failed = true;
  }
  p->fatal = true;
  halt(p, PUMP_OUTPUT, NULL);
}

static int write_out(const char *data, size_t len, void *ud)
{
  struct pump *p = ud;

  if(output_write(p->out, data, len) || output_tick(p->out)) {
    output_failed(p);
    return -1;
  }
  return 0;
}

/* Hands a formatted record (or, len 0, its empty place) to the output,
   through the ring when records go out in input order. */
static void put(struct pump *p, uint64_t index, const char *data, size_t len)
{
  if(!p->policy.ordered) {
    if(len && !output_error(p->out)) {
      write_out(data, len, p);
    }
    return;
  }
  if(output_error(p->out)) {
    len = 0;
  }
  if(reorder_put(&p->ro, index, data, len, write_out, p) &&
     !output_error(p->out)) {
    fprintf(stderr,
            "sluice: out of memory holding record %" PRIu64 " for its turn\n",
            index);
    p->fatal = true;
  }
}

/* What --fail-fast and --first make of a finished URL. */
static void judge(struct pump *p, const struct record *r)
{
  if(p->halt != PUMP_RUNNING) {
    return;
  }
  if(p->policy.fail_fast && !r->ok) {
    if(r->error_kind) {
      halt(p, PUMP_FAIL_FAST,
           message("--fail-fast: %.*s failed (%s: %s)", (int)r->url_len,
                   r->url, r->error_kind, r->error_msg ? r->error_msg : ""));
    } else {
      halt(p, PUMP_FAIL_FAST,
           message("--fail-fast: %.*s failed (status %ld)", (int)r->url_len,
                   r->url, r->status));
    }
  } else if(p->policy.first && r->ok) {
    halt(p, PUMP_FIRST,
         message("--first: %.*s answered first (status %ld)", (int)r->url_len,
                 r->url, r->status));
  }
}

/* Counts one record, writes it (or holds it for its turn) and lets
   --fail-fast and --first judge it. */
static void emit(struct pump *p, const struct record *r, int kind)
{
  if(r->ok) {
    summary_add_ok(p->sum, r->bytes);
  } else if(r->has_status && r->status >= 400) {
    summary_add_http_error(p->sum, r->bytes);
  } else {
    summary_add_failed(p->sum, kind, r->error_kind);
  }

  sl_buf_truncate(&p->rec, 0);
  if(!output_error(p->out) && record_format(&p->rec, r)) {
    fprintf(stderr, "sluice: out of memory formatting record %" PRIu64 "\n",
            r->index);
    p->fatal = true;
    sl_buf_truncate(&p->rec, 0);
  }
  put(p, r->index, p->rec.p, p->rec.len);
  judge(p, r);
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
static void free_job(struct job *job);

/* What the response says, into the record. */
static void from_response(struct record *r, const struct sl_response *resp)
{
  const struct sl_timing *tm = &resp->timing;

  r->has_status = true;
  r->status = resp->status;
  r->bytes = resp->bytes;
  r->has_time = true;
  r->time_ms = resp->timing.total_ms;
  r->final_url = resp->effective_url;
  r->content_type = resp->content_type;
  r->redirects = resp->redirects;
  r->http_version = resp->http_version;
  r->ip = resp->ip;
  r->has_timing = true;
  r->timing =
      (struct record_timing){tm->queued_ms, tm->dns_ms,  tm->connect_ms,
                             tm->tls_ms,    tm->ttfb_ms, tm->total_ms};
}

/* The body's file, once the task is final: named when the response is
   complete, else removed (or kept as .part).  Sets the record's file,
   or turns it into an io failure when the file cannot be kept. */
static void save_outcome(struct pump *p, struct job *job, struct record *r,
                         bool complete, int *kind)
{
  const struct saver *sv = p->policy.saver;
  const char *why;

  if(!complete) {
    saving_drop(sv, job->save, &r->file);
    return;
  }
  why =
      saving_keep(sv, job->save, job->url, job->url_len, job->index, &r->file);
  if(why) {
    *kind = SL_ERR_IO;
    r->error_kind = sl_error_kind_name(SL_ERR_IO);
    r->error_msg = why;
    r->ok = false;
  }
}

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
  r.attempts = sl_task_attempts(t);
  if(resp) {
    from_response(&r, resp);
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
  if(job->save) {
    save_outcome(p, job, &r, resp && !r.error_kind && !p->policy.head, &kind);
  }

  SL_LIST_REMOVE(p->jobs, p->jobs_tail, job, prev, next);
  p->live--;
  emit(p, &r, kind); /* after the unlink: it may cancel all the others */
  free_job(job);
  sl_task_free(t);
  refill(p);
}

/* A piece of a body, to its file (--output-dir). */
static const char *on_body(sl_task *t, const char *data, size_t len, void *ud)
{
  struct job *job = ud;

  return saving_write(job->pump->policy.saver, job->save, job->url,
                      job->url_len, job->index, data, len);
}

/* The request every URL gets, for job's URL. */
static void request_of(const struct pump *p, struct job *job,
                       struct sl_request *req)
{
  const struct pump_policy *pol = &p->policy;

  req->url = job->url;
  req->userdata = job;
  req->timeout_ms = pol->timeout_ms;
  req->connect_timeout_ms = pol->connect_timeout_ms;
  req->method = pol->method;
  req->flags = (pol->head ? SL_REQ_HEAD : 0u) |
               (pol->follow ? SL_REQ_FOLLOW_REDIRECTS : 0u);
  req->max_redirects = pol->max_redirects;
  req->accept_encoding = pol->compressed ? "" : NULL;
  req->max_body = (size_t)pol->max_body;
  req->body = pol->body;
  req->body_len = pol->body_len;
  req->body_file = pol->body_file;
  if(job->save) {
    req->on_body = on_body;
    req->body_ud = job;
  }
}

/* A job for the URL (copied), with its saving when bodies are saved. */
static struct job *new_job(struct pump *p, uint64_t index, const char *url,
                           size_t url_len)
{
  struct job *job = malloc(sizeof(*job) + url_len + 1);

  if(!job) {
    return NULL;
  }
  job->save = NULL;
  if(p->policy.saver && !(job->save = malloc(sizeof(*job->save)))) {
    free(job);
    return NULL;
  }
  if(job->save) {
    saving_init(job->save);
  }
  job->pump = p;
  job->index = index;
  job->url_len = url_len;
  memcpy(job->url, url, url_len);
  job->url[url_len] = '\0';
  return job;
}

static void free_job(struct job *job)
{
  if(job->save) {
    saving_free(job->save);
    free(job->save);
  }
  free(job);
}

/* Starts the task for one URL (url NUL-terminated, url_len its length). */
static void start(struct pump *p, const char *url, size_t url_len)
{
  uint64_t index = p->next_index++;
  struct sl_request req = {0};
  struct job *job = new_job(p, index, url, url_len);
  sl_task *t;
  char msg[128];

  if(!job) {
    emit_failure(p, index, url, url_len, SL_ERR_INTERNAL, "out of memory");
    return;
  }
  request_of(p, job, &req);
  t = sl_fetch(p->ctx, &req);
  if(!t) {
    snprintf(msg, sizeof(msg), "cannot start the request: %s",
             strerror(errno));
    emit_failure(p, index, job->url, url_len, SL_ERR_INTERNAL, msg);
    free_job(job);
    return;
  }
  if(sl_task_on_done(t, on_done, job) != SL_OK) {
    sl_task_cancel(t, NULL);
    sl_task_free(t);
    emit_failure(p, index, job->url, url_len, SL_ERR_INTERNAL,
                 "cannot watch the request: out of memory");
    free_job(job);
    return;
  }
  job->task = t;
  SL_LIST_PREPEND(p->jobs, p->jobs_tail, job, prev, next);
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

/* The next URL from the sources, URL arguments first: 1 with *line set
   (an argument has lineno 0), 0 when every source is exhausted or reading
   was stopped by a signal, -1 on a read error (reported; p->fatal). */
static int next_line(struct pump *p, struct input_line *line)
{
  while(!p->input_done) {
    if(p->next_url < p->nurls) {
      const char *u = p->urls[p->next_url++];

      memset(line, 0, sizeof(*line));
      line->data = u;
      line->len = strlen(u);
      return 1;
    }
    if(p->cur_input < p->ninputs) {
      int rc = input_next(p->inputs[p->cur_input], line);

      if(rc > 0) {
        return 1;
      }
      if(rc == 0) {
        p->cur_input++;
        continue;
      }
      p->input_done = true;
      if(errno == EINTR && stop_flagged(p)) {
        return 0;
      }
      sl_term_printf(stderr, "sluice: reading %s: %s\n",
                     p->input_names[p->cur_input], strerror(errno));
      p->fatal = true;
      return -1;
    }
    p->input_done = true;
  }
  return 0;
}

/* True when one more URL may start now. */
static bool has_room(const struct pump *p)
{
  if(p->input_done || p->stopped || p->live >= p->max_live) {
    return false;
  }
  /* in input order, a finished record keeps its place until written */
  return !p->policy.ordered || reorder_room(&p->ro, p->next_index) > 0;
}

/* Reads input and starts tasks until the window is full or the input
   ends.  Input files are read with blocking reads from here: waiting for a
   slow pipe delays the loop, which is what an input-bound run wants
   anyway. */
static void refill(struct pump *p)
{
  struct input_line line;

  while(has_room(p) && !stop_flagged(p) && next_line(p, &line) > 0) {
    start_line(p, &line);
  }
  if(stop_flagged(p)) {
    /* a signal interrupted the read, or came before the loop could
       deliver it: act now rather than when the loop gets to it */
    pump_interrupt(p, (int)*p->stop_flag);
  }
}

static void on_deadline(void *ud)
{
  struct pump *p = ud;

  p->timer = NULL; /* fired: sluice frees it */
  halt(p, PUMP_DEADLINE,
       message("run deadline (%s) passed",
               p->policy.deadline_arg ? p->policy.deadline_arg : "?"));
}

int pump_run(struct pump *p)
{
  int rc;

  if(p->policy.deadline_ms > 0) {
    p->timer = sl_call_later(p->ctx, p->policy.deadline_ms, on_deadline, p);
    if(!p->timer) {
      fputs("sluice: out of memory\n", stderr);
      p->fatal = true;
      p->stopped = true;
      return -1;
    }
  }
  refill(p);
  rc = sl_run(p->ctx);
  sl_timer_cancel(p->timer);
  p->timer = NULL;
  if(rc != SL_OK) {
    fprintf(stderr, "sluice: the event loop failed: %s\n", sl_strerror(rc));
    p->fatal = true;
  } else if(p->live) {
    fprintf(stderr, "sluice: internal error: %u tasks still live\n", p->live);
    p->fatal = true;
  } else if(p->ro.held) {
    fprintf(stderr, "sluice: internal error: %zu records never written\n",
            p->ro.held);
    p->fatal = true;
  }
  p->stopped = true;
  return p->fatal ? -1 : 0;
}

void pump_drain(struct pump *p)
{
  struct input_line line;
  const char *why = pump_halt_message(p);

  if(p->halt != PUMP_DEADLINE && p->halt != PUMP_FAIL_FAST &&
     p->halt != PUMP_FIRST) {
    return;
  }
  while(!stop_flagged(p) && !output_error(p->out) && next_line(p, &line) > 0) {
    emit_failure(p, p->next_index++, line.data, line.len, SL_ERR_CANCELLED,
                 why);
  }
}

void pump_free(struct pump *p)
{
  sl_timer_cancel(p->timer);
  p->timer = NULL;
  reorder_free(&p->ro);
  sl_buf_free(&p->rec);
  free(p->halt_msg);
  p->halt_msg = NULL;
}
