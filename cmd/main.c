/*
 * main.c - the sluice command: fetch many URLs, write JSON Lines.
 *
 * Opens everything the options name before the first request, so a typo
 * in a file name costs nothing; then lets the pump stream the input
 * through one libsluice context (which owns EV_DEFAULT and runs it with
 * sl_run), and ends with the summary on stderr and an exit status a
 * script can test: 0 all ok, 1 some URL not ok, 2 usage, 3 could not run,
 * 128 + N after signal N (130 for SIGINT, 143 for SIGTERM, 129 for
 * SIGHUP).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sluice.h>

#include "base/term.h"

#include "clobber.h"
#include "inflight.h"
#include "input.h"
#include "interrupt.h"
#include "nofile.h"
#include "options.h"
#include "output.h"
#include "progress.h"
#include "pump.h"
#include "resume.h"
#include "summary.h"

enum { EXIT_ALL_OK = 0, EXIT_NOT_OK = 1, EXIT_USAGE = 2, EXIT_FATAL = 3 };

/* What one run holds, from the first file opened to the exit status. */
struct run {
  struct input **ins; /* every input, in order */
  const char **names; /* their names, for messages */
  int nins;
  bool stdin_urls; /* URLs come from standard input */
  struct output *out;
  struct output *sumout; /* --summary-json */
  struct sl_buf body;    /* -d, --data-binary */
  struct saver saver;    /* --output-dir */
  sl_ctx *ctx;
  struct summary sum;
  struct pump pump;
  struct interrupt intr;
  struct progress progress; /* when progress_on */
  bool progress_on;
  struct resume resume; /* --resume */
};

static int out_of_memory(void)
{
  fputs("sluice: out of memory\n", stderr);
  return EXIT_FATAL;
}

/* Opens one input ("-" is standard input) as ins[nins]. */
static int open_input(struct run *r, const char *path)
{
  bool is_stdin = !path || !strcmp(path, "-");
  int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);

  if(fd < 0) {
    sl_term_printf(stderr, "sluice: --input: cannot open '%s': %s\n", path,
                   strerror(errno));
    return EXIT_USAGE;
  }
  r->ins[r->nins] = input_new(fd, !is_stdin);
  if(!r->ins[r->nins]) {
    if(!is_stdin) {
      close(fd);
    }
    out_of_memory();
    return EXIT_USAGE;
  }
  r->names[r->nins++] = is_stdin ? "standard input" : path;
  r->stdin_urls |= is_stdin;
  return 0;
}

/* Opens every --input, or standard input when there are no sources at
   all.  0, or the exit status after printing why not. */
static int open_inputs(struct run *r, const struct cli_options *opts)
{
  size_t n = opts->inputs.n;
  int rc = 0;

  r->ins = calloc(n + 1, sizeof(*r->ins));
  r->names = calloc(n + 1, sizeof(*r->names));
  if(!r->ins || !r->names) {
    return out_of_memory();
  }
  if(!n && !opts->nurls) {
    rc = open_input(r, NULL);
  }
  for(size_t i = 0; i < n && !rc; i++) {
    rc = open_input(r, opts->inputs.v[i]);
  }
  return rc;
}

/* The file of opt (or standard output when path is NULL), as *out. */
static int open_output(struct output **out, const char *opt, const char *path)
{
  int fd = STDOUT_FILENO;

  if(path) {
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if(fd < 0) {
      sl_term_printf(stderr, "sluice: %s: cannot open '%s': %s\n", opt, path,
                     strerror(errno));
      return EXIT_USAGE;
    }
  }
  *out = output_new(fd, path != NULL);
  if(!*out) {
    if(path) {
      close(fd);
    }
    return out_of_memory();
  }
  return 0;
}

/* Reads the body of -d and --data-binary (or checks the one file that
   is streamed) into the run's policy. */
static int read_body(struct run *r, struct cli_options *opts)
{
  struct pump_policy *run = &opts->run;
  char msg[512];

  if(!opts->data.args.n) {
    return 0;
  }
  if(data_reads_stdin(&opts->data) && r->stdin_urls) {
    fputs("sluice: --data @-: standard input is where the URLs come from; "
          "give them as arguments or with --input FILE\n",
          stderr);
    return EXIT_USAGE;
  }
  if(data_build(&opts->data, &r->body, &run->body_file, msg, sizeof(msg))) {
    fprintf(stderr, "sluice: %s\n", msg);
    return EXIT_USAGE;
  }
  run->body = run->body_file ? NULL : r->body.p;
  run->body_len = r->body.len;
  return 0;
}

/* Opens --output-dir (made when missing). */
static int open_saver(struct run *r, struct cli_options *opts)
{
  const char *why = NULL;

  r->saver.dirfd = -1;
  if(!opts->output_dir) {
    return 0;
  }
  if(saver_open(&r->saver, opts->output_dir, opts->output_template,
                opts->keep_partial, &why)) {
    fprintf(stderr, "sluice: --output-dir: %s '%s': %s\n", why,
            opts->output_dir, strerror(errno));
    return EXIT_USAGE;
  }
  opts->run.saver = &r->saver;
  return 0;
}

/* Opens the inputs, the results and --output-dir, reads the body and
   checks --cacert.  0, or the exit status after printing why not. */
static int open_files(struct run *r, struct cli_options *opts)
{
  const char *ca_file = opts->lib.ca_file;
  const struct clobber_out outs[] = {{"--results", opts->results},
                                     {"--summary-json", opts->summary_json}};
  int rc = open_inputs(r, opts);

  if(!rc && clobber_check(outs, sizeof(outs) / sizeof(outs[0]), r->ins,
                          r->names, r->nins)) {
    rc = EXIT_USAGE; /* before anything is opened for writing */
  }
  if(!rc) {
    rc = read_body(r, opts);
  }
  if(!rc) {
    rc = open_saver(r, opts);
  }
  if(rc) {
    return rc;
  }
  /* curl reads it at each new TLS connection: an unreadable file would
     fail every https:// URL, so say so now */
  if(ca_file && access(ca_file, R_OK)) {
    sl_term_printf(stderr, "sluice: --cacert: cannot read '%s': %s\n", ca_file,
                   strerror(errno));
    return EXIT_USAGE;
  }
  if(opts->resume) {
    /* read now, written to once the input is found to be its list */
    rc = resume_load(&r->resume, opts->results);
    rc = rc == RESUME_NOT_RESULTS ? EXIT_USAGE : rc ? EXIT_FATAL : 0;
  } else {
    rc = open_output(&r->out, "--results", opts->results);
  }
  if(!rc && opts->summary_json) {
    rc = open_output(&r->sumout, "--summary-json", opts->summary_json);
  }
  return rc;
}

static int make_context(struct run *r, const struct cli_options *opts)
{
  const char *var, *why;

  if(!sl_proxy_env_check(&var, &why)) {
    /* curl would fail every URL, each as a "dns" error */
    sl_term_printf(stderr, "sluice: environment variable %s='%s': %s\n", var,
                   getenv(var), why);
    return EXIT_USAGE;
  }
  nofile_raise(opts->lib.max_concurrency);
  errno = 0;
  r->ctx = sl_ctx_new(&opts->lib);
  if(!r->ctx && errno == EINVAL) {
    /* every value was checked while parsing; this is the library
       refusing one all the same */
    fputs("sluice: the fetcher refused an option (--rate, --host-rate, "
          "--resolve, --dns-server, -H or -x)\n",
          stderr);
    options_hint(stderr);
    return EXIT_USAGE;
  }
  if(!r->ctx) {
    fputs("sluice: cannot start the fetcher (out of memory, or curl or "
          "libev failed to initialise)\n",
          stderr);
    return EXIT_FATAL;
  }
  return 0;
}

/* The first SIGINT, SIGTERM or SIGHUP, on the loop: the pump cancels
   everything and stops reading. */
static void on_interrupt(int signum, void *ud)
{
  pump_interrupt(ud, signum);
}

/* SIGUSR1, on the loop: every URL in flight on stderr. */
static void on_usr1(int signum, void *ud)
{
  struct run *r = ud;

  (void)signum;
  if(r->progress_on) {
    progress_clear(&r->progress);
  }
  inflight_dump(r->ctx, &r->pump, STDERR_FILENO);
}

/* What shows the run as it goes: the progress line (on a terminal unless
   -s, or as --progress and --no-progress say) and the SIGUSR1 dump. */
static int start_watching(struct run *r, const struct cli_options *opts)
{
  bool on = opts->progress > 0 ||
            (!opts->progress && !opts->silent && isatty(STDERR_FILENO));

  if(on) {
    progress_init(&r->progress, r->ctx, &r->pump, &r->sum, STDERR_FILENO,
                  progress_count(r->ins, r->nins, opts->nurls));
    if(progress_start(&r->progress) != SL_OK) {
      return out_of_memory();
    }
    r->progress_on = true;
  }
  if(sl_on_signal(r->ctx, SIGUSR1, on_usr1, r) != SL_OK) {
    fputs("sluice: warning: cannot watch SIGUSR1 on the loop\n", stderr);
  }
  return 0;
}

/* --resume: the input checked against the results and read up to where
   they end, then the results opened to append to. */
static int go_on(struct run *r, const char *path)
{
  int fd, rc = pump_resume(&r->pump, &r->resume, path);

  if(rc) {
    return rc == PUMP_RESUME_OTHER_LIST ? EXIT_USAGE
           : interrupt_signum           ? 128 + interrupt_signum
                                        : EXIT_FATAL;
  }
  fd = resume_open(&r->resume);
  if(fd < 0) {
    fprintf(stderr, "sluice: --results: cannot open '%s': %s\n", path,
            strerror(errno));
    return EXIT_USAGE;
  }
  r->out = output_new(fd, true);
  if(!r->out) {
    close(fd);
    return out_of_memory();
  }
  pump_set_output(&r->pump, r->out);
  return 0;
}

/* Sets the pump up on the context, with its sources and the signals. */
static int start_pump(struct run *r, const struct cli_options *opts)
{
  struct pump *pump = &r->pump;

  /* two tasks per transfer slot: one running, one queued behind it, so a
     finished transfer is replaced without waiting for input */
  summary_init(&r->sum);
  pump_init(pump, r->ctx, r->out, &r->sum, opts->lib.max_concurrency * 2);
  if(pump_set_policy(pump, &opts->run)) {
    return out_of_memory();
  }
  pump_set_urls(pump, opts->urls, opts->nurls);
  pump_set_inputs(pump, r->ins, r->names, r->nins);
  for(int i = 0; i < r->nins; i++) {
    input_set_stop(r->ins[i], &interrupt_signum);
  }
  pump_set_stop_flag(pump, &interrupt_signum);
  if(interrupt_start(&r->intr, r->ctx, on_interrupt, pump) != SL_OK) {
    fputs("sluice: warning: cannot watch SIGINT, SIGTERM and SIGHUP on the "
          "loop; a signal takes effect when more input is read\n",
          stderr);
  }
  /* a signal while the check reads a slow input ends it (130, 143) */
  return opts->resume ? go_on(r, opts->results) : 0;
}

static double seconds_now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --summary-json: the summary as JSON into its file (opened at start). */
static void write_summary(struct run *r, double wall_s)
{
  struct pump *pump = &r->pump;
  struct sl_buf b = {0};
  const char *why =
      pump->halt != PUMP_RUNNING ? pump_halt_message(pump) : NULL;

  int rc = summary_json(&r->sum, wall_s, why, &b);

  if(rc) {
    errno = ENOMEM;
  } else if(output_write(r->sumout, b.p, b.len)) {
    rc = -1;
  }
  if(output_close(r->sumout) && !rc) {
    rc = -1;
  }
  r->sumout = NULL;
  if(rc) {
    fprintf(stderr, "sluice: writing --summary-json: %s\n", strerror(errno));
    pump->fatal = true;
  }
  sl_buf_free(&b);
}

/* Fetches everything, then closes the context and the results and says
   how the run ended (-s: only when it is an error). */
static void fetch(struct run *r, bool silent)
{
  struct pump *pump = &r->pump;
  double t0 = seconds_now(), wall_s;

  pump_run(pump);
  if(r->progress_on) {
    progress_stop(&r->progress); /* erased before anything else is told */
  }
  /* from here on the loop no longer runs: signals go to a plain handler,
     so the rest of the input and the last write can be interrupted */
  interrupt_leave_loop(&r->intr);
  sl_off_signal(r->ctx, SIGUSR1);
  signal(SIGUSR1, SIG_IGN); /* not its default: the end of the process */
  pump_drain(pump);
  pump_stop(pump);
  sl_ctx_free(r->ctx);
  r->ctx = NULL;
  if(output_close(r->out) && !pump->fatal) {
    fprintf(stderr, "sluice: writing results: %s\n", strerror(errno));
    pump->fatal = true;
  }
  r->out = NULL;
  wall_s = seconds_now() - t0;
  if(r->sumout) {
    write_summary(r, wall_s);
  }
  if(silent) {
    return;
  }
  if(pump->halt != PUMP_RUNNING && pump->halt != PUMP_OUTPUT) {
    /* it quotes a URL and a server's words: kept from the terminal */
    sl_term_printf(stderr, "sluice: stopped: %s\n", pump_halt_message(pump));
  }
  if(interrupt_signum && pump->halt != PUMP_SIGNAL) {
    /* it came after the loop: while the rest of the input was read, or
       during the last write */
    fprintf(stderr, "sluice: %s\n", interrupt_message(interrupt_signum));
  }
  summary_print(&r->sum, wall_s, stderr);
}

static int exit_status(const struct run *r, const struct cli_options *opts)
{
  if(r->pump.fatal) {
    return EXIT_FATAL;
  }
  if(interrupt_signum) {
    return 128 + interrupt_signum;
  }
  if(opts->run.first) {
    return r->sum.ok ? EXIT_ALL_OK : EXIT_NOT_OK;
  }
  return summary_all_ok(&r->sum) ? EXIT_ALL_OK : EXIT_NOT_OK;
}

/* Releases what is left of the run (after an early exit: everything). */
static void close_run(struct run *r)
{
  interrupt_leave_loop(&r->intr);
  if(r->progress_on) {
    progress_free(&r->progress); /* before its timer goes with the ctx */
  }
  pump_free(&r->pump);
  sl_ctx_free(r->ctx);
  output_close(r->out);
  output_close(r->sumout);
  summary_free(&r->sum);
  resume_free(&r->resume);
  for(int i = 0; i < r->nins; i++) {
    input_close(r->ins[i]);
  }
  free(r->ins);
  free(r->names);
  sl_buf_free(&r->body);
  saver_close(&r->saver);
}

int main(int argc, char **argv)
{
  struct cli_options opts;
  struct run r;
  int status;

  switch(options_parse(&opts, argc, argv)) {
    case SL_OPTS_RUN:
      break;
    case SL_OPTS_EXIT:
      options_free(&opts);
      return fflush(stdout) ? EXIT_FATAL : EXIT_ALL_OK;
    case SL_OPTS_USAGE:
      options_free(&opts);
      return EXIT_USAGE;
  }
  /* until the loop watches it (and after): SIGUSR1's default would end
     the process */
  signal(SIGUSR1, SIG_IGN);
  memset(&r, 0, sizeof(r));
  r.saver.dirfd = -1;
  status = open_files(&r, &opts);
  if(!status) {
    status = make_context(&r, &opts);
  }
  if(!status) {
    status = start_pump(&r, &opts);
  }
  if(!status) {
    status = start_watching(&r, &opts);
  }
  if(!status) {
    fetch(&r, opts.silent);
    status = exit_status(&r, &opts);
  }
  close_run(&r);
  options_free(&opts);
  return status;
}
