/*
 * options.h - the sluice command line, parsed.
 *
 * options_parse() turns argv into a struct cli_options and does nothing
 * else: no file is opened here, so main() owns every resource.
 */
#ifndef SLUICE_CMD_OPTIONS_H
#define SLUICE_CMD_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#define CLI_CONCURRENCY_DEFAULT 50
#define CLI_CONCURRENCY_MAX     100000

struct cli_options {
  unsigned concurrency; /* -j, --concurrency */
  const char **inputs;  /* -i, --input, in order ("-" is stdin) */
  int ninputs;
  const char *results;    /* --results, or NULL for stdout */
  const char *user_agent; /* --user-agent, or NULL for the default */
  char **urls;            /* the URL arguments */
  int nurls;
  bool ordered;             /* --ordered: records in input order */
  long timeout_ms;          /* --timeout, per request; 0 = none */
  long connect_timeout_ms;  /* --connect-timeout; 0 = curl's default */
  long deadline_ms;         /* --deadline, for the whole run; 0 = none */
  const char *deadline_arg; /* --deadline as written, for messages */
  bool fail_fast;           /* --fail-fast */
  bool first;               /* --first */
};

/* What options_parse() found. */
enum cli_parse {
  CLI_RUN = 0,     /* go on and fetch */
  CLI_EXIT_OK = 1, /* --help or --version was printed: exit 0 */
  CLI_USAGE = 2    /* a usage error was printed on stderr: exit 2 */
};

/* Parses argv into *opts (which it zero-initialises).  opts->inputs is
   allocated: release it with options_free(). */
enum cli_parse options_parse(struct cli_options *opts, int argc, char **argv);
void options_free(struct cli_options *opts);

/* Prints the usage hint ("Try 'sluice --help'") to f. */
void options_hint(FILE *f);

#endif
