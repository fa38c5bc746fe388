/*
 * options.h - the sluice command line, parsed.
 *
 * options_parse() turns argv into a struct cli_options and does nothing
 * else: no file is opened here, so main() owns every resource.  What the
 * library takes is written straight into a struct sl_options and what
 * the pump takes into a struct pump_policy, so nothing is copied field by
 * field afterwards.
 */
#ifndef SLUICE_CMD_OPTIONS_H
#define SLUICE_CMD_OPTIONS_H

#include <stdio.h>

#include <sluice.h>

#include "base/buf.h"
#include "base/opts.h"
#include "data.h"
#include "pump.h"

#define CLI_CONCURRENCY_DEFAULT 50
#define CLI_CONCURRENCY_MAX     100000
#define CLI_PER_HOST_DEFAULT    6 /* polite by default */
#define CLI_PER_HOST_MAX        100000
#define CLI_BURST_DEFAULT       1 /* evenly spaced */
#define CLI_BURST_MAX           100000
#define CLI_RETRIES_MAX         100
#define CLI_DNS_TIMEOUT_MAX_MS  (3600L * 1000) /* c-ares takes an int */
#define CLI_MAX_REDIRS_MAX      1000
#define CLI_BANDWIDTH_MAX       (1L << 50) /* bytes/s: 1 PiB/s */

struct cli_options {
  struct sl_options lib;      /* -j, -A, --http1.1, --http2, --cacert, -k,
                                 -x, the politeness, bandwidth and name
                                 options */
  struct pump_policy run;     /* --ordered, --timeout, --connect-timeout,
                                 --deadline, --fail-fast, --first, and
                                 the request: -X, -I, -L, --compressed,
                                 --max-filesize */
  struct sl_opt_list inputs;  /* -i, --input, in order ("-" is stdin) */
  const char *results;        /* --results, or NULL for stdout */
  const char *summary_json;   /* --summary-json, or NULL */
  bool resume;                /* --resume: append to --results */
  struct sl_opt_list resolve; /* every --resolve; lib.resolve */
  struct sl_buf dns_servers;  /* every --dns-server, joined with commas
                                 as c-ares takes them; lib.dns_servers */
  struct sl_opt_list headers; /* -H in order; lib.headers, with -e's
                                 line first unless a -H names Referer */
  struct sl_opt_list lines;   /* what lib.headers points to */
  const char *referer;        /* -e */
  struct sl_buf referer_line; /* "Referer: " and it */
  long max_redirs;            /* --max-redirs; -1: not given */
  struct data_args data;      /* -d, --data-binary, in order */
  bool silent;                /* -s, -q: no summary, no progress line */
  int progress;               /* --progress 1, --no-progress -1, else 0:
                                 on when stderr is a terminal */
  const char *output_dir;     /* --output-dir, or NULL */
  const char *output_template;
  bool keep_partial;
  char **urls; /* the URL arguments */
  int nurls;
};

/* Parses argv into *opts (which it initialises).  SL_OPTS_EXIT when
   --help or --version was printed, SL_OPTS_USAGE when a usage error was
   (with the hint).  Release *opts with options_free(), whatever this
   returned. */
enum sl_opts_rc options_parse(struct cli_options *opts, int argc, char **argv);
void options_free(struct cli_options *opts);

/* Prints the usage hint ("Try 'sluice --help'") to f. */
void options_hint(FILE *f);

#endif
