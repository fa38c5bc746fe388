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
#define CLI_PER_HOST_DEFAULT    6 /* issue 4: polite by default */
#define CLI_PER_HOST_MAX        100000
#define CLI_BURST_MAX           100000
#define CLI_RETRIES_MAX         100
#define CLI_DNS_TIMEOUT_MAX_MS  (3600L * 1000) /* c-ares takes an int */

struct cli_options {
  unsigned concurrency; /* -j, --concurrency */
  const char **inputs;  /* -i, --input, in order ("-" is stdin) */
  int ninputs;
  const char *results;    /* --results, or NULL for stdout */
  const char *user_agent; /* --user-agent, or NULL for the default */
  int http_version;       /* enum sl_http_version: --http1.1 */
  const char *ca_file;    /* --cacert, or NULL for the system's CAs */
  char **urls;            /* the URL arguments */
  int nurls;
  bool ordered;             /* --ordered: records in input order */
  long timeout_ms;          /* --timeout, per request; 0 = none */
  long connect_timeout_ms;  /* --connect-timeout; 0 = curl's default */
  long deadline_ms;         /* --deadline, for the whole run; 0 = none */
  const char *deadline_arg; /* --deadline as written, for messages */
  bool fail_fast;           /* --fail-fast */
  bool first;               /* --first */

  /* politeness (struct sl_options) */
  unsigned per_host;       /* --per-host; CLI_PER_HOST_DEFAULT */
  const char *rate;        /* --rate "N/s", checked; NULL = none */
  const char *host_rate;   /* --host-rate, the same, per host */
  unsigned burst;          /* --burst; 1 */
  unsigned retries;        /* --retries; 0 */
  long retry_max_delay_ms; /* --retry-max-delay; 0 = the library's */
  char *dns_servers;       /* every --dns-server, joined with commas
                              (allocated); NULL = the system's */
  long dns_timeout_ms;     /* --dns-timeout; 0 = the library's */
  const char **resolve;    /* every --resolve, NULL-terminated */
  int nresolve;
};

/* What options_parse() found. */
enum cli_parse {
  CLI_RUN = 0,     /* go on and fetch */
  CLI_EXIT_OK = 1, /* --help or --version was printed: exit 0 */
  CLI_USAGE = 2    /* a usage error was printed on stderr: exit 2 */
};

/* Parses argv into *opts (which it zero-initialises).  opts->inputs,
   opts->resolve and opts->dns_servers are allocated: release them with
   options_free(), whatever this returned. */
enum cli_parse options_parse(struct cli_options *opts, int argc, char **argv);
void options_free(struct cli_options *opts);

/* Prints the usage hint ("Try 'sluice --help'") to f. */
void options_hint(FILE *f);

#endif
