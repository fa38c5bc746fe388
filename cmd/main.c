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

#include "input.h"
#include "interrupt.h"
#include "options.h"
#include "output.h"
#include "pump.h"
#include "summary.h"

enum { EXIT_ALL_OK = 0, EXIT_NOT_OK = 1, EXIT_USAGE = 2, EXIT_FATAL = 3 };

/* The first SIGINT or SIGTERM, on the loop: the pump cancels everything
   and stops reading. */
static void on_interrupt(int signum, void *ud)
{
  pump_interrupt(ud, signum);
}

static double seconds_now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Opens every --input (or standard input when there are no sources at
   all).  Returns 0, or -1 after printing why. */
static int open_inputs(const struct cli_options *opts, struct input **ins,
                       const char **names, int *nins)
{
  int n = 0;

  if(!opts->ninputs && !opts->nurls) {
    ins[n] = input_new(STDIN_FILENO, false);
    names[n] = "standard input";
    if(!ins[n]) {
      goto nomem;
    }
    n++;
  }
  for(int i = 0; i < opts->ninputs; i++) {
    const char *path = opts->inputs[i];
    bool is_stdin = !strcmp(path, "-");
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);

    if(fd < 0) {
      fprintf(stderr, "sluice: --input: cannot open '%s': %s\n", path,
              strerror(errno));
      *nins = n;
      return -1;
    }
    ins[n] = input_new(fd, !is_stdin);
    names[n] = is_stdin ? "standard input" : path;
    if(!ins[n]) {
      if(!is_stdin) {
        close(fd);
      }
      goto nomem;
    }
    n++;
  }
  *nins = n;
  return 0;

nomem:
  fputs("sluice: out of memory\n", stderr);
  *nins = n;
  return -1;
}

int main(int argc, char **argv)
{
  struct cli_options opts;
  struct sl_options sopts = {0};
  struct input **ins = NULL;
  const char **names = NULL;
  int nins = 0;
  struct output *out = NULL;
  struct summary sum;
  struct pump pump;
  struct pump_policy policy = {0};
  struct interrupt intr;
  bool watching = false;
  sl_ctx *ctx = NULL;
  int status = EXIT_FATAL;
  double t0;
  unsigned max_live;

  switch(options_parse(&opts, argc, argv)) {
    case CLI_RUN:
      break;
    case CLI_EXIT_OK:
      options_free(&opts);
      return fflush(stdout) ? EXIT_FATAL : EXIT_ALL_OK;
    case CLI_USAGE:
      options_free(&opts);
      return EXIT_USAGE;
  }

  ins = calloc((size_t)opts.ninputs + 1, sizeof(*ins));
  names = calloc((size_t)opts.ninputs + 1, sizeof(*names));
  if(!ins || !names) {
    fputs("sluice: out of memory\n", stderr);
    goto done;
  }
  if(open_inputs(&opts, ins, names, &nins)) {
    status = EXIT_USAGE;
    goto done;
  }
  /* curl reads it at each new TLS connection: an unreadable file would
     fail every https:// URL, so say so now */
  if(opts.ca_file && access(opts.ca_file, R_OK)) {
    fprintf(stderr, "sluice: --cacert: cannot read '%s': %s\n", opts.ca_file,
            strerror(errno));
    status = EXIT_USAGE;
    goto done;
  }

  if(opts.results) {
    int fd =
        open(opts.results, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if(fd < 0) {
      fprintf(stderr, "sluice: --results: cannot open '%s': %s\n",
              opts.results, strerror(errno));
      status = EXIT_USAGE;
      goto done;
    }
    out = output_new(fd, true);
    if(!out) {
      close(fd);
    }
  } else {
    out = output_new(STDOUT_FILENO, false);
  }
  if(!out) {
    fputs("sluice: out of memory\n", stderr);
    goto done;
  }

  sopts.max_concurrency = opts.concurrency;
  sopts.user_agent = opts.user_agent;
  sopts.http_version = (enum sl_http_version)opts.http_version;
  sopts.ca_file = opts.ca_file;
  sopts.per_host = opts.per_host;
  sopts.rate = opts.rate;
  sopts.host_rate = opts.host_rate;
  sopts.burst = opts.burst;
  sopts.retries = opts.retries;
  sopts.retry_max_delay_ms = opts.retry_max_delay_ms;
  sopts.dns_servers = opts.dns_servers;
  sopts.dns_timeout_ms = opts.dns_timeout_ms;
  sopts.resolve = opts.nresolve ? opts.resolve : NULL;
  errno = 0;
  ctx = sl_ctx_new(&sopts);
  if(!ctx && errno == EINVAL) {
    /* every value was checked while parsing; this is the library
       refusing one all the same */
    fputs("sluice: the fetcher refused an option (--rate, --host-rate, "
          "--resolve or --dns-server)\n",
          stderr);
    options_hint(stderr);
    status = EXIT_USAGE;
    goto done;
  }
  if(!ctx) {
    fputs("sluice: cannot start the fetcher (out of memory, or curl or "
          "libev failed to initialise)\n",
          stderr);
    goto done;
  }

  /* two tasks per transfer slot: one running, one queued behind it, so a
     finished transfer is replaced without waiting for input */
  max_live = opts.concurrency * 2;
  summary_init(&sum);
  pump_init(&pump, ctx, out, &sum, max_live);
  policy.ordered = opts.ordered;
  policy.fail_fast = opts.fail_fast;
  policy.first = opts.first;
  policy.timeout_ms = opts.timeout_ms;
  policy.connect_timeout_ms = opts.connect_timeout_ms;
  policy.deadline_ms = opts.deadline_ms;
  policy.deadline_arg = opts.deadline_arg;
  if(pump_set_policy(&pump, &policy)) {
    fputs("sluice: out of memory\n", stderr);
    pump_free(&pump);
    goto done;
  }
  pump_set_urls(&pump, opts.urls, opts.nurls);
  pump_set_inputs(&pump, ins, names, nins);
  for(int i = 0; i < nins; i++) {
    input_set_stop(ins[i], &interrupt_signum);
  }
  pump_set_stop_flag(&pump, &interrupt_signum);
  if(interrupt_start(&intr, ctx, on_interrupt, &pump) != SL_OK) {
    fputs("sluice: warning: cannot watch SIGINT and SIGTERM on the loop; "
          "a signal takes effect when more input is read\n",
          stderr);
  }
  watching = true;

  t0 = seconds_now();
  pump_run(&pump);
  /* from here on the loop no longer runs: signals go to a plain handler,
     so the rest of the input and the last write can be interrupted */
  interrupt_leave_loop(&intr);
  pump_drain(&pump);
  pump_stop(&pump);
  sl_ctx_free(ctx);
  ctx = NULL;
  if(output_close(out) && !pump.fatal) {
    fprintf(stderr, "sluice: writing results: %s\n", strerror(errno));
    pump.fatal = true;
  }
  out = NULL;
  if(pump.halt != PUMP_RUNNING && pump.halt != PUMP_OUTPUT) {
    fprintf(stderr, "sluice: stopped: %s\n", pump_halt_message(&pump));
  }
  if(interrupt_signum && pump.halt != PUMP_SIGNAL) {
    /* it came after the loop: while the rest of the input was read, or
       during the last write */
    fprintf(stderr, "sluice: %s\n",
            interrupt_signum == SIGINT ? "interrupted by SIGINT"
                                       : "terminated by SIGTERM");
  }
  summary_print(&sum, seconds_now() - t0, stderr);

  if(pump.fatal) {
    status = EXIT_FATAL;
  } else if(interrupt_signum) {
    status = 128 + interrupt_signum;
  } else if(opts.first) {
    status = sum.ok ? EXIT_ALL_OK : EXIT_NOT_OK;
  } else {
    status = summary_all_ok(&sum) ? EXIT_ALL_OK : EXIT_NOT_OK;
  }
  pump_free(&pump);

done:
  if(watching) {
    interrupt_leave_loop(&intr);
  }
  sl_ctx_free(ctx);
  output_close(out);
  for(int i = 0; i < nins; i++) {
    input_close(ins[i]);
  }
  free(ins);
  free(names);
  options_free(&opts);
  return status;
}
