/*
 * options.c - command-line parsing for sluice (getopt_long).
 *
 * Every bad value names the option it belongs to and ends with a hint to
 * --help, because a bulk job started from a script should fail at once
 * and say why, not half-run with a default the user never chose.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sluice.h>

#include "duration.h"
#include "netspec.h"

#ifndef SLUICE_CLI_VERSION
#define SLUICE_CLI_VERSION "unknown"
#endif

enum {
  OPT_RESULTS = 256,
  OPT_USER_AGENT,
  OPT_ORDERED,
  OPT_TIMEOUT,
  OPT_CONNECT_TIMEOUT,
  OPT_DEADLINE,
  OPT_FAIL_FAST,
  OPT_FIRST,
  OPT_PER_HOST,
  OPT_RATE,
  OPT_HOST_RATE,
  OPT_BURST,
  OPT_RETRIES,
  OPT_RETRY_MAX_DELAY,
  OPT_DNS_SERVER,
  OPT_DNS_TIMEOUT,
  OPT_RESOLVE,
  OPT_HTTP11,
  OPT_CACERT
};

static const struct option long_options[] = {
    {"input", required_argument, NULL, 'i'},
    {"concurrency", required_argument, NULL, 'j'},
    {"results", required_argument, NULL, OPT_RESULTS},
    {"user-agent", required_argument, NULL, OPT_USER_AGENT},
    {"ordered", no_argument, NULL, OPT_ORDERED},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
    {"deadline", required_argument, NULL, OPT_DEADLINE},
    {"fail-fast", no_argument, NULL, OPT_FAIL_FAST},
    {"first", no_argument, NULL, OPT_FIRST},
    {"per-host", required_argument, NULL, OPT_PER_HOST},
    {"rate", required_argument, NULL, OPT_RATE},
    {"host-rate", required_argument, NULL, OPT_HOST_RATE},
    {"burst", required_argument, NULL, OPT_BURST},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"retry-max-delay", required_argument, NULL, OPT_RETRY_MAX_DELAY},
    {"dns-server", required_argument, NULL, OPT_DNS_SERVER},
    {"dns-timeout", required_argument, NULL, OPT_DNS_TIMEOUT},
    {"resolve", required_argument, NULL, OPT_RESOLVE},
    {"http1.1", no_argument, NULL, OPT_HTTP11},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0}};

static const char short_options[] = ":i:j:hV";

static void usage(FILE *f)
{
  fprintf(
      f,
      "Usage: sluice [OPTIONS] [URL ...]\n"
      "Fetch many URLs at once and write one JSON Lines record per URL.\n"
      "\n"
      "URLs come from the arguments, then from each --input file; with\n"
      "neither, from standard input.  In input files, blank lines and lines\n"
      "starting with '#' are skipped; every other line is one URL.\n"
      "\n"
      "Options:\n"
      "  -i, --input FILE        read URLs from FILE, one per line ('-' is\n"
      "                          standard input); may be repeated\n"
      "  -j, --concurrency N     transfers running at once, 1..%d\n"
      "                          (default %d)\n"
      "      --results FILE      write the records to FILE instead of\n"
      "                          standard output\n"
      "      --user-agent STR    send STR as the User-Agent header\n"
      "      --http1.1           HTTP/1.1 only, also for https:// URLs\n"
      "                          (default: HTTP/2 over TLS when the server\n"
      "                          offers it, a host's transfers sharing one\n"
      "                          connection; HTTP/1.1 otherwise)\n"
      "      --cacert FILE       trust the CA certificates in FILE (PEM)\n"
      "                          for https:// instead of the system's\n"
      "      --ordered           write the records in input order (a record\n"
      "                          waits only for earlier URLs still running)\n"
      "      --timeout DUR       give up on a request DUR after it was\n"
      "                          queued (kind \"timeout\")\n"
      "      --connect-timeout DUR\n"
      "                          give up on connecting after DUR\n"
      "      --deadline DUR      end the whole run after DUR, cancelling\n"
      "                          what is left (kind \"cancelled\")\n"
      "      --fail-fast         stop at the first URL that is not ok and\n"
      "                          cancel the others, read or not\n"
      "      --first             stop at the first URL that is ok and\n"
      "                          cancel the others, read or not\n"
      "  -h, --help              show this help and exit\n"
      "  -V, --version           show the version and exit\n"
      "\n"
      "Politeness (a host is the host name and port of the URL):\n"
      "      --per-host N        transfers at once per host, 1..%d\n"
      "                          (default %d)\n"
      "      --rate R            requests started per unit of time, in all;\n"
      "                          R is N/s, N/m or N/h (100/s, 600/m, 0.5/s)\n"
      "      --host-rate R       the same, for each host on its own\n"
      "      --burst N           requests a rate lets through at once after\n"
      "                          a quiet spell, 1..%d (default 1: evenly\n"
      "                          spaced)\n"
      "      --retries N         retry a connect error, timeout, 408, 429,\n"
      "                          500, 502, 503 or 504 up to N times, 0..%d\n"
      "                          (default 0), with exponential backoff\n"
      "      --retry-max-delay DUR\n"
      "                          longest wait before one retry (default 30s)\n"
      "\n"
      "Names:\n"
      "      --dns-server ADDR[:PORT]\n"
      "                          ask this DNS server (IPv6 as [::1]:53)\n"
      "                          instead of /etc/resolv.conf's; repeatable\n"
      "      --dns-timeout DUR   wait DUR for a DNS answer, per try (2\n"
      "                          tries; default 2s, at most 1h)\n"
      "      --resolve HOST:PORT:ADDR[,ADDR]\n"
      "                          use ADDR for HOST:PORT without asking DNS,\n"
      "                          as curl's --resolve; repeatable\n"
      "\n"
      "DUR is a number with a unit, ms, s, m or h (250ms, 10s, 2m, 1h), or a\n"
      "plain number of seconds (1.5); 0 means no limit (--retry-max-delay\n"
      "and --dns-timeout need more than 0).\n"
      "\n"
      "Every URL gets exactly one record.  After --deadline, --fail-fast or\n"
      "--first ends the run, the URLs not yet read are still read, and each\n"
      "gets a \"cancelled\" record without being fetched.  On SIGINT or\n"
      "SIGTERM, everything running is cancelled, reading stops, and the URLs\n"
      "read so far get their records; a second signal exits at once.\n"
      "\n"
      "A 429 or 503 answer with Retry-After pauses its whole host until\n"
      "then, with or without --retries.\n"
      "\n"
      "Each record: "
      "{\"index\",\"url\",\"status\",\"ok\",\"bytes\",\"time_ms\",\n"
      "\"attempts\",\"error\"} in completion order (input order with\n"
      "--ordered); a summary goes to standard error at the end.\n"
      "\n"
      "Exit status:\n"
      "  0  every URL was fetched with an HTTP status below 400\n"
      "     (an empty input also exits 0)\n"
      "  1  at least one URL failed or answered with a status of 400 or more\n"
      "     (with --first: no URL was ok)\n"
      "  2  usage error: a bad option, or an input or results file that\n"
      "     cannot be opened\n"
      "  3  the run could not go on: results could not be written, input\n"
      "     could not be read, or the fetcher could not start\n"
      "  130, 143  interrupted by SIGINT or SIGTERM (128 + the signal)\n",
      CLI_CONCURRENCY_MAX, CLI_CONCURRENCY_DEFAULT, CLI_PER_HOST_MAX,
      CLI_PER_HOST_DEFAULT, CLI_BURST_MAX, CLI_RETRIES_MAX);
}

void options_hint(FILE *f)
{
  fputs("Try 'sluice --help' for more information.\n", f);
}

/* The long name of a long-only option value, for messages. */
static const char *option_name(int val)
{
  for(const struct option *o = long_options; o->name; o++) {
    if(o->val == val) {
      return o->name;
    }
  }
  return "?";
}

/* Prints "sluice: OPTION: what", naming the option as the user wrote it:
   "--bogus" (without any "=value"), or "-x". */
static void print_bad_option(const char *what, const char *arg, int opt)
{
  if(arg && arg[0] == '-' && arg[1] == '-' && arg[2]) {
    size_t n = strcspn(arg, "=");
    fprintf(stderr, "sluice: %.*s: %s\n", (int)n, arg, what);
  } else if(opt > 0 && opt < 256) {
    fprintf(stderr, "sluice: -%c: %s\n", opt, what);
  } else if(opt >= 256) {
    fprintf(stderr, "sluice: --%s: %s\n", option_name(opt), what);
  } else {
    fprintf(stderr, "sluice: %s: %s\n", arg ? arg : "?", what);
  }
}

/* True when arg is a "--" prefix of more than one long option (getopt
   reports both that and an unknown option as '?' with optopt 0). */
static bool is_ambiguous(const char *arg, int opt)
{
  size_t n;
  int matches = 0;

  if(opt || !arg || strncmp(arg, "--", 2)) {
    return false;
  }
  arg += 2;
  n = strcspn(arg, "=");
  for(const struct option *o = long_options; o->name; o++) {
    if(!strncmp(o->name, arg, n)) {
      matches++;
    }
  }
  return matches > 1;
}

/* Parses a plain decimal number in min..max into *out. */
static int parse_uint(const char *s, unsigned long min, unsigned long max,
                      unsigned *out)
{
  char *end;
  unsigned long v;

  if(*s < '0' || *s > '9') {
    return -1;
  }
  errno = 0;
  v = strtoul(s, &end, 10);
  if(errno || *end || v < min || v > max) {
    return -1;
  }
  *out = (unsigned)v;
  return 0;
}

/* Parses the N of option opt, min..max, into *out, or prints why not. */
static int parse_number_option(int opt, const char *arg, unsigned long min,
                               unsigned long max, unsigned *out)
{
  if(parse_uint(arg, min, max, out)) {
    fprintf(stderr, "sluice: --%s: '%s' is not a number between %lu and %lu\n",
            opt == 'j' ? "concurrency" : option_name(opt), arg, min, max);
    return -1;
  }
  return 0;
}

/* Parses the DUR of option opt into *ms, or prints why not.  With
   positive, 0 is refused too. */
static int parse_duration_option(int opt, const char *arg, long max_ms,
                                 bool positive, long *ms)
{
  if(duration_parse(arg, ms)) {
    fprintf(stderr,
            "sluice: --%s: '%s' is not a duration (like 250ms, 10s, 2m, 1h, "
            "or a number of seconds; at most 30 days)\n",
            option_name(opt), arg);
    return -1;
  }
  if(*ms > max_ms) {
    fprintf(stderr, "sluice: --%s: '%s' is too long (at most %ld s)\n",
            option_name(opt), arg, max_ms / 1000);
    return -1;
  }
  if(positive && *ms == 0) {
    fprintf(stderr, "sluice: --%s: '%s': must be more than 0\n",
            option_name(opt), arg);
    return -1;
  }
  return 0;
}

/* Checks the R of --rate or --host-rate with the library's own parser. */
static int parse_rate_option(int opt, const char *arg, const char **out)
{
  const char *why = NULL;

  if(!sl_rate_check(arg, &why)) {
    fprintf(stderr, "sluice: --%s: '%s': %s\n", option_name(opt), arg,
            why ? why : "not a rate");
    return -1;
  }
  *out = arg;
  return 0;
}

enum cli_parse options_parse(struct cli_options *opts, int argc, char **argv)
{
  int c;

  memset(opts, 0, sizeof(*opts));
  opts->concurrency = CLI_CONCURRENCY_DEFAULT;
  opts->per_host = CLI_PER_HOST_DEFAULT;
  opts->burst = 1;
  opts->inputs = calloc((size_t)argc + 1, sizeof(*opts->inputs));
  opts->resolve = calloc((size_t)argc + 1, sizeof(*opts->resolve));
  if(!opts->inputs || !opts->resolve) {
    fputs("sluice: out of memory\n", stderr);
    return CLI_USAGE;
  }

  opterr = 0;
  optind = 1;
  while((c = getopt_long(argc, argv, short_options, long_options, NULL)) !=
        -1) {
    switch(c) {
      case 'i':
        if(!*optarg) {
          fputs("sluice: --input: the file name is empty\n", stderr);
          goto usage_error;
        }
        opts->inputs[opts->ninputs++] = optarg;
        break;
      case 'j':
        if(parse_number_option(c, optarg, 1, CLI_CONCURRENCY_MAX,
                               &opts->concurrency)) {
          goto usage_error;
        }
        break;
      case OPT_RESULTS:
        if(!*optarg) {
          fputs("sluice: --results: the file name is empty\n", stderr);
          goto usage_error;
        }
        opts->results = optarg;
        break;
      case OPT_USER_AGENT:
        if(strpbrk(optarg, "\r\n")) {
          fputs("sluice: --user-agent: contains a line break\n", stderr);
          goto usage_error;
        }
        opts->user_agent = optarg;
        break;
      case OPT_HTTP11:
        opts->http_version = SL_HTTP_1_1;
        break;
      case OPT_CACERT:
        if(!*optarg) {
          fputs("sluice: --cacert: the file name is empty\n", stderr);
          goto usage_error;
        }
        opts->ca_file = optarg;
        break;
      case OPT_ORDERED:
        opts->ordered = true;
        break;
      case OPT_TIMEOUT:
        if(parse_duration_option(c, optarg, DURATION_MAX_MS, false,
                                 &opts->timeout_ms)) {
          goto usage_error;
        }
        break;
      case OPT_CONNECT_TIMEOUT:
        if(parse_duration_option(c, optarg, DURATION_MAX_MS, false,
                                 &opts->connect_timeout_ms)) {
          goto usage_error;
        }
        break;
      case OPT_DEADLINE:
        if(parse_duration_option(c, optarg, DURATION_MAX_MS, false,
                                 &opts->deadline_ms)) {
          goto usage_error;
        }
        opts->deadline_arg = optarg;
        break;
      case OPT_FAIL_FAST:
        opts->fail_fast = true;
        break;
      case OPT_FIRST:
        opts->first = true;
        break;
      case OPT_PER_HOST:
        if(parse_number_option(c, optarg, 1, CLI_PER_HOST_MAX,
                               &opts->per_host)) {
          goto usage_error;
        }
        break;
      case OPT_RATE:
        if(parse_rate_option(c, optarg, &opts->rate)) {
          goto usage_error;
        }
        break;
      case OPT_HOST_RATE:
        if(parse_rate_option(c, optarg, &opts->host_rate)) {
          goto usage_error;
        }
        break;
      case OPT_BURST:
        if(parse_number_option(c, optarg, 1, CLI_BURST_MAX, &opts->burst)) {
          goto usage_error;
        }
        break;
      case OPT_RETRIES:
        if(parse_number_option(c, optarg, 0, CLI_RETRIES_MAX,
                               &opts->retries)) {
          goto usage_error;
        }
        break;
      case OPT_RETRY_MAX_DELAY:
        if(parse_duration_option(c, optarg, DURATION_MAX_MS, true,
                                 &opts->retry_max_delay_ms)) {
          goto usage_error;
        }
        break;
      case OPT_DNS_TIMEOUT:
        if(parse_duration_option(c, optarg, CLI_DNS_TIMEOUT_MAX_MS, true,
                                 &opts->dns_timeout_ms)) {
          goto usage_error;
        }
        break;
      case OPT_DNS_SERVER: {
        const char *why = netspec_add_dns_server(&opts->dns_servers, optarg);
        if(why) {
          fprintf(stderr, "sluice: --dns-server: '%s': %s\n", optarg, why);
          goto usage_error;
        }
        break;
      }
      case OPT_RESOLVE: {
        const char *why = netspec_check_resolve(optarg);
        if(why) {
          fprintf(stderr, "sluice: --resolve: '%s': %s\n", optarg, why);
          goto usage_error;
        }
        opts->resolve[opts->nresolve++] = optarg;
        break;
      }
      case 'h':
        usage(stdout);
        return CLI_EXIT_OK;
      case 'V':
        printf("sluice %s (libsluice %s)\n", SLUICE_CLI_VERSION, sl_version());
        return CLI_EXIT_OK;
      case ':':
        /* optopt is the short letter or the long option's val */
        print_bad_option("missing value", argv[optind - 1], optopt);
        goto usage_error;
      case '?':
      default:
        print_bad_option(is_ambiguous(argv[optind - 1], optopt)
                             ? "ambiguous option"
                             : "unknown option",
                         argv[optind - 1], optopt);
        goto usage_error;
    }
  }
  if(opts->fail_fast && opts->first) {
    fputs("sluice: --fail-fast and --first cannot be used together\n", stderr);
    goto usage_error;
  }
  opts->urls = argv + optind;
  opts->nurls = argc - optind;
  return CLI_RUN;

usage_error:
  options_hint(stderr);
  return CLI_USAGE;
}

void options_free(struct cli_options *opts)
{
  free(opts->inputs);
  opts->inputs = NULL;
  opts->ninputs = 0;
  free(opts->resolve);
  opts->resolve = NULL;
  opts->nresolve = 0;
  free(opts->dns_servers);
  opts->dns_servers = NULL;
}
