/*
 * pump.c - the fetch loop of the sluice command: input lines in, one
 * task per URL, one record per task out.
 *
 * Input is read only when a task finishes and frees a slot, from that
 * task's done callback, so a million-line list runs in the memory of
 * max_live tasks.  A live input (a pipe, a terminal) is not read there:
 * when it has no whole line buffered, a reader on the loop waits for it
 * (kept alive, so sl_run waits too) while there is room, and each time it
 * is readable one read(2) is made and the lines are started.  Every URL
 * line yields exactly one record: the library turns a malformed URL into a
 * failed task, and the few lines it is never shown (too long, or with a
 * NUL byte in them) get an invalid_url record written here.  The caller's
 * buffers are copied, so records echo the input exactly.
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
#include <sys/stat.h>
#include <time.h>

#include "base/list.h"
#include "base/term.h"
#include "interrupt.h"

struct job {
  struct pump *pump;
  struct job *prev, *next;
  sl_task *task;
  uint64_t index;
  uint64_t seq;        /* its turn with --ordered (see put()) */
  int64_t born;        /* when it was read (pump_now()) */
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
  p->wait_fd = p->watch_fd = -1;
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

int64_t pump_now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool pump_task_info(const struct pump *p, sl_task *t,
                    struct pump_task_info *out)
{
  const struct job *job = sl_task_userdata(t);

  if(!job || job->pump != p) {
    return false;
  }
  out->index = job->index;
  out->url = job->url;
  out->url_len = job->url_len;
  out->born = job->born;
  return true;
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

static void watch_input(struct pump *p);

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
  watch_input(p); /* no more reading: the loop need not wait for it */
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
  halt(p, PUMP_SIGNAL, message("%s", interrupt_message(signum)));
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

  if(output_write(p->out, data, len)) {
    output_failed(p);
    return -1;
  }
  return 0;
}

/* Hands a formatted record (or, len 0, its empty place) to the output,
   through the ring when records go out in input order (by seq: the order
   this run read the URLs in, which is the input's, with no gaps even
   where --resume skips URLs). */
static void put(struct pump *p, uint64_t seq, const char *data, size_t len)
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
  if(reorder_put(&p->ro, seq, data, len, write_out, p) &&
     !output_error(p->out)) {
    fprintf(stderr,
            "sluice: out of memory holding record %" PRIu64 " for its turn\n",
            seq);
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

/* Counts one record, writes it (or holds it for its turn, seq) and lets
   --fail-fast and --first judge it. */
static void emit(struct pump *p, const struct record *r, int kind,
                 uint64_t seq)
{
  summary_add(p->sum, r, kind);

  sl_buf_truncate(&p->rec, 0);
  if(!output_error(p->out) && record_format(&p->rec, r)) {
    fprintf(stderr, "sluice: out of memory formatting record %" PRIu64 "\n",
            r->index);
    p->fatal = true;
    sl_buf_truncate(&p->rec, 0);
  }
  put(p, seq, p->rec.p, p->rec.len);
  judge(p, r);
}

/* A record for a URL that never became a task. */
static void emit_failure(struct pump *p, uint64_t index, uint64_t seq,
                         const char *url, size_t url_len,
                         enum sl_error_kind kind, const char *msg)
{
  struct record r = {0};

  r.index = index;
  r.url = url;
  r.url_len = url_len;
  r.error_kind = sl_error_kind_name(kind);
  r.error_msg = msg;
  emit(p, &r, (int)kind, seq);
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
  /* after the unlink: it may cancel all the others */
  emit(p, &r, kind, job->seq);
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
static struct job *new_job(struct pump *p, uint64_t index, uint64_t seq,
                           const char *url, size_t url_len)
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
  job->seq = seq;
  job->born = pump_now();
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

/* Starts the task for the URL of index (url_len bytes, copied), its turn
   seq. */
static void start(struct pump *p, uint64_t index, uint64_t seq,
                  const char *url, size_t url_len)
{
  struct sl_request req = {0};
  struct job *job = new_job(p, index, seq, url, url_len);
  sl_task *t;
  char msg[128];

  if(!job) {
    emit_failure(p, index, seq, url, url_len, SL_ERR_INTERNAL,
                 "out of memory");
    return;
  }
  request_of(p, job, &req);
  t = sl_fetch(p->ctx, &req);
  if(!t) {
    snprintf(msg, sizeof(msg), "cannot start the request: %s",
             strerror(errno));
    emit_failure(p, index, seq, job->url, url_len, SL_ERR_INTERNAL, msg);
    free_job(job);
    return;
  }
  if(sl_task_on_done(t, on_done, job) != SL_OK) {
    sl_task_cancel(t, NULL);
    sl_task_free(t);
    emit_failure(p, index, seq, job->url, url_len, SL_ERR_INTERNAL,
                 "cannot watch the request: out of memory");
    free_job(job);
    return;
  }
  job->task = t;
  SL_LIST_PREPEND(p->jobs, p->jobs_tail, job, prev, next);
  p->live++;
}

/* Handles the line of index: starts it, or writes the record of a line
   that cannot be a URL. */
static void start_line(struct pump *p, uint64_t index,
                       const struct input_line *line)
{
  uint64_t seq = p->next_seq++;
  char msg[160];

  if(line->too_long) {
    snprintf(msg, sizeof(msg),
             "line %" PRIu64 " is %" PRIu64 " bytes long, over the limit "
             "of %d (url shows its first %d bytes)",
             line->lineno, line->raw_len, INPUT_MAX_LINE, INPUT_LONG_PREFIX);
    emit_failure(p, index, seq, line->data, line->len, SL_ERR_INVALID_URL,
                 msg);
    return;
  }
  if(line->has_nul) {
    snprintf(msg, sizeof(msg), "line %" PRIu64 " contains a NUL byte",
             line->lineno);
    emit_failure(p, index, seq, line->data, line->len, SL_ERR_INVALID_URL,
                 msg);
    return;
  }
  /* input_next() hands out the line in its own buffer, not terminated:
     start() copies it, and sl_fetch() gets the copy */
  start(p, index, seq, line->data, line->len);
}

/* The next URL from the sources, URL arguments first: 1 with *line set
   (an argument has lineno 0), 0 when every source is exhausted or reading
   was stopped by a signal, or when a live input has no line yet
   (p->wait_fd set), -1 on a read error (reported; p->fatal). */
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
      if(rc == INPUT_AGAIN) {
        p->wait_fd = input_fd(p->inputs[p->cur_input]);
        return 0;
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

/* The next URL to start and its index: with --resume, first those the
   results file lacked below its last record (read while checking it),
   then the sources from where that check stopped.  As next_line(). */
static int take_line(struct pump *p, struct input_line *line, uint64_t *index)
{
  int rc;

  if(p->resume && resume_next_hole(p->resume, index, line)) {
    return 1;
  }
  rc = next_line(p, line);
  if(rc > 0) {
    *index = p->next_index++;
  }
  return rc;
}

void pump_set_output(struct pump *p, struct output *out)
{
  p->out = out;
}

/* Where a line came from, for a message: "urls.txt, line 7". */
static void origin(const struct pump *p, const struct input_line *l, char *buf,
                   size_t size)
{
  if(l->lineno) {
    snprintf(buf, size, "%s, line %" PRIu64, p->input_names[p->cur_input],
             l->lineno);
  } else {
    snprintf(buf, size, "an argument");
  }
}

int pump_resume(struct pump *p, struct resume *rs, const char *path)
{
  struct input_line line;
  uint64_t index;
  char where[600];
  int rc = 0, m;

  while(!rc && p->next_index < rs->n) {
    rc = take_line(p, &line, &index);
    if(rc <= 0) {
      if(rc == 0 && !stop_flagged(p)) {
        fprintf(stderr,
                "sluice: --resume: '%s' has records up to index %" PRIu64
                ", but the input has only %" PRIu64 " URLs: it was made "
                "from another list\n",
                path, rs->n - 1, p->next_index);
        return PUMP_RESUME_OTHER_LIST;
      }
      return PUMP_RESUME_FAILED;
    }
    m = resume_match(rs, index, line.data, line.len);
    if(m < 0) {
      origin(p, &line, where, sizeof(where));
      fprintf(stderr,
              "sluice: --resume: the URL of index %" PRIu64 " (%s) is not "
              "the one '%s' has for it: it was made from another list\n",
              index, where, path);
      return PUMP_RESUME_OTHER_LIST;
    }
    rc = m == 0 && resume_hold(rs, index, &line) ? -1 : 0;
  }
  if(rc) {
    fputs("sluice: out of memory\n", stderr);
    p->fatal = true;
    return PUMP_RESUME_FAILED;
  }
  resume_checked(rs);
  p->resume = rs;
  p->sum->skipped = rs->records;
  return 0;
}

/* True when one more URL may start now. */
static bool has_room(const struct pump *p)
{
  if(p->input_done || p->stopped || p->live >= p->max_live) {
    return false;
  }
  /* in input order, a finished record keeps its place until written */
  return !p->policy.ordered || reorder_room(&p->ro, p->next_seq) > 0;
}

/* A live input is readable: one read, then the lines it brought. */
static void on_readable(int fd, void *ud)
{
  struct pump *p = ud;

  (void)fd;
  input_fill(p->inputs[p->cur_input]); /* an error: next_line() tells */
  refill(p);
}

/* Keeps a reader on the loop exactly while a live input has no line and
   there is room for one.  Out of memory for it, the input is read with
   blocking reads instead, as a regular file is. */
static void watch_input(struct pump *p)
{
  int fd =
      p->wait_fd >= 0 && has_room(p) && !stop_flagged(p) ? p->wait_fd : -1;

  if(fd == p->watch_fd) {
    return;
  }
  if(p->watch_fd >= 0) {
    sl_remove_reader(p->ctx, p->watch_fd);
  }
  p->watch_fd = -1;
  if(fd < 0) {
    return;
  }
  if(sl_add_reader(p->ctx, fd, on_readable, p) == SL_OK &&
     sl_reader_keep_alive(p->ctx, fd, true) == SL_OK) {
    p->watch_fd = fd;
    return;
  }
  sl_remove_reader(p->ctx, fd);
  input_set_live(p->inputs[p->cur_input], false);
  refill(p);
}

/* Reads input and starts tasks until the window is full, the input ends
   or a live input has nothing more yet (then the loop watches it).
   Regular files are read with blocking reads from here, which never wait
   long. */
static void refill(struct pump *p)
{
  struct input_line line;
  uint64_t index;

  p->wait_fd = -1;
  while(has_room(p) && !stop_flagged(p) && take_line(p, &line, &index) > 0) {
    start_line(p, index, &line);
  }
  if(stop_flagged(p)) {
    /* a signal interrupted the read, or came before the loop could
       deliver it: act now rather than when the loop gets to it */
    pump_interrupt(p, (int)*p->stop_flag);
  }
  watch_input(p);
}

/* Inputs that are not regular files are read on the loop. */
static void set_live(struct pump *p, bool live)
{
  struct stat st;

  for(int i = 0; i < p->ninputs; i++) {
    int fd = input_fd(p->inputs[i]);
    input_set_live(p->inputs[i],
                   live && !(fstat(fd, &st) == 0 && S_ISREG(st.st_mode)));
  }
}

/* Every OUTPUT_FLUSH_MS while the loop runs: what was written goes out,
   so a crash loses no more than that. */
static void on_flush(void *ud)
{
  struct pump *p = ud;

  p->flush = NULL; /* fired: sluice frees it */
  if(output_flush(p->out)) {
    output_failed(p);
    return;
  }
  p->flush = sl_call_later(p->ctx, OUTPUT_FLUSH_MS, on_flush, p);
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
  /* out of memory for it: records still go out when the buffer fills */
  p->flush = sl_call_later(p->ctx, OUTPUT_FLUSH_MS, on_flush, p);
  set_live(p, true);
  refill(p);
  rc = sl_run(p->ctx);
  set_live(p, false);
  sl_timer_cancel(p->timer);
  p->timer = NULL;
  sl_timer_cancel(p->flush);
  p->flush = NULL;
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
  uint64_t index;
  const char *why = pump_halt_message(p);

  if(p->halt != PUMP_DEADLINE && p->halt != PUMP_FAIL_FAST &&
     p->halt != PUMP_FIRST) {
    return;
  }
  while(!stop_flagged(p) && !output_error(p->out) &&
        take_line(p, &line, &index) > 0) {
    emit_failure(p, index, p->next_seq++, line.data, line.len,
                 SL_ERR_CANCELLED, why);
  }
}

void pump_free(struct pump *p)
{
  sl_timer_cancel(p->timer);
  p->timer = NULL;
  sl_timer_cancel(p->flush);
  p->flush = NULL;
  reorder_free(&p->ro);
  sl_buf_free(&p->rec);
  free(p->halt_msg);
  p->halt_msg = NULL;
}
