/*
 * main.c - the sluice command: fetch many URLs, write JSON Lines.
 *
 * Opens everything the options name before the first request, so a typo
 * in a file name costs nothing; then lets the pump stream the input
 * through one libsluice context (which owns EV_DEFAULT and runs it with
 * sl_run), and ends with the summary on stderr and an exit status a
 * script can test: 0 all ok, 1 some URL not ok, 2 usage, 3 could not run,
 * 128 + N after signal N (130 for SIGINT, 143 for SIGTERM).
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

#include "input.h"
#include "interrupt.h"
#include "nofile.h"
#include "options.h"
#include "output.h"
#include "pump.h"
#include "summary.h"

enum { EXIT_ALL_OK = 0, EXIT_NOT_OK = 1, EXIT_USAGE = 2, EXIT_FATAL = 3 };

/* What one run holds, from the first file opened to the exit status. */
struct run {
  struct input **ins; /* every input, in order */
  const char **names; /* their names, for messages */
  int nins;
  bool stdin_urls; /* URLs come from standard input */
  struct output *out;
  struct sl_buf body; /* -d, --data-binary */
  struct saver saver; /* --output-dir */
  sl_ctx *ctx;
  struct summary sum;
  struct pump pump;
  struct interrupt intr;
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

/* The results file, or standard output. */
static int open_output(struct run *r, const char *path)
{
  int fd = STDOUT_FILENO;

  if(path) {
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if(fd < 0) {
      sl_term_printf(stderr, "sluice: --results: cannot open '%s': %s\n", path,
                     strerror(errno));
      return EXIT_USAGE;
    }
  }
  r->out = output_new(fd, path != NULL);
  if(!r->out) {
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
  int rc = open_inputs(r, opts);

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
  return open_output(r, opts->results);
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

/* The first SIGINT or SIGTERM, on the loop: the pump cancels everything
   and stops reading. */
static void on_interrupt(int signum, void *ud)
{
  pump_interrupt(ud, signum);
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
    fputs("sluice: warning: cannot watch SIGINT and SIGTERM on the loop; "
          "a signal takes effect when more input is read\n",
          stderr);
  }
  return 0;
}

static double seconds_now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fetches everything, then closes the context and the results and says
   how the run ended (-s: only when it is an error). */
static void fetch(struct run *r, bool silent)
{
  struct pump *pump = &r->pump;
  double t0 = seconds_now();

  pump_run(pump);
  /* from here on the loop no longer runs: signals go to a plain handler,
     so the rest of the input and the last write can be interrupted */
  interrupt_leave_loop(&r->intr);
  pump_drain(pump);
  pump_stop(pump);
  sl_ctx_free(r->ctx);
  r->ctx = NULL;
  if(output_close(r->out) && !pump->fatal) {
    fprintf(stderr, "sluice: writing results: %s\n", strerror(errno));
    pump->fatal = true;
  }
  r->out = NULL;
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
    fprintf(stderr, "sluice: %s\n",
            interrupt_signum == SIGINT ? "interrupted by SIGINT"
                                       : "terminated by SIGTERM");
  }
  summary_print(&r->sum, seconds_now() - t0, stderr);
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
  pump_free(&r->pump);
  sl_ctx_free(r->ctx);
  output_close(r->out);
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
    fetch(&r, opts.silent);
    status = exit_status(&r, &opts);
  }
  close_run(&r);
  options_free(&opts);
  return status;
}
