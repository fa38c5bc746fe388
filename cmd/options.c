/*
 * options.c - the sluice command line: one table (base/opts.h) from which
 * parsing, checking and --help all come, as curl's tool has its
 * aliases[].
 *
 * Every bad value names the option it belongs to and ends with a hint to
 * --help, because a bulk job started from a script should fail at once
 * and say why, not half-run with a default the user never chose.  The
 * values the library would only refuse as a whole (rates, --resolve,
 * --dns-server) are checked here one by one, so the message can say
 * which.
 */
#include "options.h"

#include <string.h>
#include <strings.h>

#include "base/netspec.h"

#include "duration.h"
#include "savename.h"
#include "size.h"

#ifndef SLUICE_CLI_VERSION
#define SLUICE_CLI_VERSION "unknown"
#endif

/* "'VALUE': why" in msg, or NULL when why is NULL. */
static const char *quoted(char *msg, const char *arg, const char *why)
{
  if(!why) {
    return NULL;
  }
  snprintf(msg, SL_OPT_MSG, "'%s': %s", arg, why);
  return msg;
}

/* --input, --results, --summary-json, --cacert */
static const char *file_name(const struct sl_opt *o, void *field,
                             const char *arg, char *msg)
{
  return *arg ? NULL : "the file name is empty";
}

/* --user-agent, --referer, --proxy: they become header lines */
static const char *one_line(const struct sl_opt *o, void *field,
                            const char *arg, char *msg)
{
  return strpbrk(arg, "\r\n") ? "contains a line break" : NULL;
}

/* --header: checked by the library's own rule */
static const char *header(const struct sl_opt *o, void *field, const char *arg,
                          char *msg)
{
  const char *why = NULL;

  return sl_header_check(arg, &why) ? NULL : quoted(msg, arg, why);
}

/* --request */
static const char *method(const struct sl_opt *o, void *field, const char *arg,
                          char *msg)
{
  const char *why = NULL;

  return sl_method_check(arg, &why) ? NULL : quoted(msg, arg, why);
}

/* --data (min 0), --data-binary (min 1) */
static const char *data(const struct sl_opt *o, void *field, const char *arg,
                        char *msg)
{
  return data_add(field, arg, o->min) ? "out of memory" : NULL;
}

/* --max-filesize, --limit-rate, --host-limit-rate: BYTES into the
   uint64_t at field, at most o->max when it is set */
static const char *size(const struct sl_opt *o, void *field, const char *arg,
                        char *msg)
{
  uint64_t v;

  if(size_parse(arg, &v)) {
    snprintf(msg, SL_OPT_MSG,
             "'%s' is not a size (bytes, or with k, M or G: 500k, 10M)", arg);
    return msg;
  }
  if(o->max && v > (uint64_t)o->max) {
    snprintf(msg, SL_OPT_MSG, "'%s' is too large (at most %ldG)", arg,
             o->max >> 30);
    return msg;
  }
  *(uint64_t *)field = v;
  return NULL;
}

static const char *output_template(const struct sl_opt *o, void *field,
                                   const char *arg, char *msg)
{
  return quoted(msg, arg, savename_template_check(arg));
}

/* -o, -O: curl's, pointed to sluice's way */
static const char *not_here(const struct sl_opt *o, void *field,
                            const char *arg, char *msg)
{
  return "sluice saves every body with --output-dir DIR (one file per URL, "
         "named from it; see --output-template)";
}

/* --rate, --host-rate: checked by the library's own parser */
static const char *rate(const struct sl_opt *o, void *field, const char *arg,
                        char *msg)
{
  const char *why = NULL;

  if(sl_rate_check(arg, &why)) {
    return NULL;
  }
  return quoted(msg, arg, why ? why : "not a rate");
}

static const char *resolve(const struct sl_opt *o, void *field,
                           const char *arg, char *msg)
{
  return quoted(msg, arg, sl_netspec_check_resolve(arg));
}

/* --dns-server: joined into the one list c-ares takes */
static const char *dns_server(const struct sl_opt *o, void *field,
                              const char *arg, char *msg)
{
  return quoted(msg, arg, sl_netspec_dns_servers(field, arg));
}

/* A DUR into the long at field, in milliseconds: at most o->max, and at
   least o->min (1: 0 is refused). */
static const char *duration(const struct sl_opt *o, void *field,
                            const char *arg, char *msg)
{
  long ms;

  if(duration_parse(arg, &ms)) {
    snprintf(msg, SL_OPT_MSG,
             "'%s' is not a duration (like 250ms, 10s, 2m, 1h, or a number "
             "of seconds; at most 30 days)",
             arg);
  } else if(ms > o->max) {
    snprintf(msg, SL_OPT_MSG, "'%s' is too long (at most %ld s)", arg,
             o->max / 1000);
  } else if(ms < o->min) {
    snprintf(msg, SL_OPT_MSG, "'%s': must be more than 0", arg);
  } else {
    *(long *)field = ms;
    return NULL;
  }
  return msg;
}

/* --deadline: a DUR, kept as written too, for the message that ends the
   run */
static const char *deadline(const struct sl_opt *o, void *field,
                            const char *arg, char *msg)
{
  struct pump_policy *run = field;
  const char *why = duration(o, &run->deadline_ms, arg, msg);

  if(!why) {
    run->deadline_arg = arg;
  }
  return why;
}

/* --progress, --no-progress: the entry's min (1, -1) into the int at
   field; the last one given wins */
static const char *tristate(const struct sl_opt *o, void *field,
                            const char *arg, char *msg)
{
  *(int *)field = (int)o->min;
  return NULL;
}

/* --http1.1, --http2: the version is the entry's min */
static const char *http_version(const struct sl_opt *o, void *field,
                                const char *arg, char *msg)
{
  *(enum sl_http_version *)field = (enum sl_http_version)o->min;
  return NULL;
}

static const char *version(const struct sl_opt *o, void *field,
                           const char *arg, char *msg)
{
  printf("sluice %s (libsluice %s)\n", SLUICE_CLI_VERSION, sl_version());
  return NULL;
}

#define AT(member, ctype) SL_OPT_AT(struct cli_options, member, ctype)
#define NUM(macro)        SL_OPT_XSTR(macro)

/* One macro per plain kind, so that the kind and the C type of its field
   go together. */
/* clang-format off */
#define FLAG(name, member, text)                                              \
  {name, 0, SL_OPT_FLAG, .at = AT(member, bool), .help = text}
#define COUNT(name, letter, member, lo, hi, text)                             \
  {name, letter, SL_OPT_UINT, .at = AT(member, unsigned), .min = lo,         \
   .max = hi, .arg = "N", .help = text}
#define STRING(name, member, check, value, text)                              \
  {name, 0, SL_OPT_STR, .at = AT(member, const char *), .fn = check,         \
   .arg = value, .help = text}
#define LIST(name, letter, member, check, value, text)                        \
  {name, letter, SL_OPT_LIST, .at = AT(member, struct sl_opt_list),          \
   .fn = check, .arg = value, .help = text}
#define DURATION(name, member, lo, hi, text)                                  \
  {name, 0, SL_OPT_FUNC, .at = AT(member, long), .min = lo, .max = hi,       \
   .fn = duration, .arg = "DUR", .help = text}

static const struct sl_opt table[] = {
    {.kind = SL_OPT_SECTION, .help = "Options:"},
    LIST("input", 'i', inputs, file_name, "FILE",
         "read URLs from FILE, one per line ('-' is standard input); may be "
         "repeated"),
    COUNT("concurrency", 'j', lib.max_concurrency, 1, CLI_CONCURRENCY_MAX,
          "transfers running at once, 1.." NUM(CLI_CONCURRENCY_MAX)
          " (default " NUM(CLI_CONCURRENCY_DEFAULT) ")"),
    STRING("results", results, file_name, "FILE",
           "write the records to FILE instead of standard output"),
    FLAG("resume", resume,
         "go on with the run whose records --results holds: skip every URL "
         "it has, fetch the others, append their records (the input must "
         "be the same list)"),
    STRING("summary-json", summary_json, file_name, "FILE",
           "also write the summary to FILE, as JSON"),
    FLAG("ordered", run.ordered,
         "write the records in input order (a record waits only for earlier "
         "URLs still running)"),
    {"silent", 's', SL_OPT_FLAG, .at = AT(silent, bool),
     .help = "no summary and no progress line on standard error (errors "
             "are still told)"},
    {"quiet", 'q', SL_OPT_FLAG, .at = AT(silent, bool),
     .help = "the same as -s"},
    {"progress", 0, SL_OPT_FUNC, SL_OPT_NOVAL, .at = AT(progress, int),
     .min = 1, .fn = tristate,
     .help = "draw the progress line on standard error even when it is not "
             "a terminal, or with -s (by default: on a terminal, without "
             "-s)"},
    {"no-progress", 0, SL_OPT_FUNC, SL_OPT_NOVAL, .at = AT(progress, int),
     .min = -1, .fn = tristate, .help = "no progress line"},
    {"help", 'h', SL_OPT_HELP, .help = "show this help and exit"},
    {"version", 'V', SL_OPT_FUNC, SL_OPT_NOVAL | SL_OPT_ENDS, .fn = version,
     .help = "show the version and exit"},

    {.kind = SL_OPT_SECTION, .help = "Requests (every URL gets the same):"},
    {"request", 'X', SL_OPT_STR, .at = AT(run.method, const char *),
     .fn = method, .arg = "METHOD",
     .help = "send METHOD instead of GET (POST with -d)"},
    LIST("header", 'H', headers, header, "LINE",
         "send the header LINE (\"Name: value\"); \"Name:\" removes one "
         "sluice or libcurl would send, \"Name;\" sends it empty; "
         "repeatable"),
    {"data", 'd', SL_OPT_FUNC, .at = AT(data, struct data_args), .min = 0,
     .fn = data, .arg = "DATA",
     .help = "send DATA as the body (POST): @FILE reads FILE without its "
             "line breaks, @- standard input; repeatable, joined with '&'"},
    {"data-binary", 0, SL_OPT_FUNC, .at = AT(data, struct data_args),
     .min = 1, .fn = data, .arg = "DATA",
     .help = "the same, @FILE as it is (one @FILE alone is streamed from "
             "the file by each request)"},
    {"user-agent", 'A', SL_OPT_STR, .at = AT(lib.user_agent, const char *),
     .fn = one_line, .arg = "STR",
     .help = "send STR as the User-Agent header (\"\": none)"},
    {"referer", 'e', SL_OPT_STR, .at = AT(referer, const char *),
     .fn = one_line, .arg = "URL", .help = "send URL as the Referer header"},
    {"head", 'I', SL_OPT_FLAG, .at = AT(run.head, bool),
     .help = "HEAD instead of GET: no body"},
    FLAG("compressed", run.compressed,
         "ask for a compressed body (every coding libcurl decodes) and "
         "decode it"),
    {"location", 'L', SL_OPT_FLAG, .at = AT(run.follow, bool),
     .help = "follow redirects (to http and https only; each hop keeps the "
             "per-host limits)"},
    {"max-redirs", 0, SL_OPT_LONG, .at = AT(max_redirs, long), .min = 0,
     .max = CLI_MAX_REDIRS_MAX, .arg = "N",
     .help = "with -L, follow at most N redirects, 0.." NUM(
         CLI_MAX_REDIRS_MAX) " (default 10; one more: kind \"redirect\")"},
    {"http1.1", 0, SL_OPT_FUNC, SL_OPT_NOVAL,
     .at = AT(lib.http_version, enum sl_http_version), .min = SL_HTTP_1_1,
     .fn = http_version,
     .help = "HTTP/1.1 only, also for https:// URLs"},
    {"http2", 0, SL_OPT_FUNC, SL_OPT_NOVAL,
     .at = AT(lib.http_version, enum sl_http_version), .min = SL_HTTP_AUTO,
     .fn = http_version,
     .help = "HTTP/2 over TLS when the server offers it, a host's transfers "
             "sharing one connection; HTTP/1.1 for http:// (the default)"},

    {.kind = SL_OPT_SECTION, .help = "TLS and proxies:"},
    {"insecure", 'k', SL_OPT_FLAG, .at = AT(lib.insecure, bool),
     .help = "do not check the server's certificate or name"},
    STRING("cacert", lib.ca_file, file_name, "FILE",
           "trust the CA certificates in FILE (PEM) for https:// instead of "
           "the system's"),
    {"proxy", 'x', SL_OPT_STR, .at = AT(lib.proxy, const char *),
     .fn = one_line, .arg = "URL",
     .help = "use this proxy (as curl takes it: [SCHEME://]HOST[:PORT]); "
             "\"\": none, whatever the environment says"},

    {.kind = SL_OPT_SECTION, .help = "Limits:"},
    DURATION("timeout", run.timeout_ms, 0, DURATION_MAX_MS,
             "give up on a request DUR after it was queued (kind "
             "\"timeout\")"),
    {"max-time", 'm', SL_OPT_FUNC, .at = AT(run.timeout_ms, long), .min = 0,
     .max = DURATION_MAX_MS, .fn = duration, .arg = "DUR",
     .help = "the same as --timeout"},
    DURATION("connect-timeout", run.connect_timeout_ms, 0, DURATION_MAX_MS,
             "give up on connecting after DUR"),
    {"max-filesize", 0, SL_OPT_FUNC, .at = AT(run.max_body, uint64_t),
     .fn = size, .arg = "BYTES",
     .help = "give up on a body over BYTES (k, M, G: 1024-based), decoded "
             "(kind \"too_large\")"},
    {"deadline", 0, SL_OPT_FUNC, .at = AT(run, struct pump_policy),
     .max = DURATION_MAX_MS, .fn = deadline, .arg = "DUR",
     .help = "end the whole run after DUR, cancelling what is left (kind "
             "\"cancelled\")"},
    FLAG("fail-fast", run.fail_fast,
         "stop at the first URL that is not ok and cancel the others, read "
         "or not"),
    FLAG("first", run.first,
         "stop at the first URL that is ok and cancel the others, read or "
         "not"),

    {.kind = SL_OPT_SECTION, .help = "Bodies to disk:"},
    STRING("output-dir", output_dir, file_name, "DIR",
           "save every body in a file below DIR (made when missing), named "
           "from its URL; the record's \"file\" names it"),
    STRING("output-template", output_template, output_template, "T",
           "name the files by T, of {index}, {host}, {path}, {hash}, {ext} "
           "and '/' (default " SAVENAME_DEFAULT ")"),
    {"keep-partial", 0, SL_OPT_FLAG, .at = AT(keep_partial, bool),
     .help = "keep the body of a URL that failed, as NAME.part (default: "
             "removed)"},
    {"output", 'o', SL_OPT_FUNC, .fn = not_here, .arg = "FILE"},
    {"remote-name", 'O', SL_OPT_FUNC, SL_OPT_NOVAL, .fn = not_here},

    {.kind = SL_OPT_SECTION,
     .help = "Politeness (a host is the host name and port of the URL):"},
    COUNT("per-host", 0, lib.per_host, 1, CLI_PER_HOST_MAX,
          "transfers at once per host, 1.." NUM(CLI_PER_HOST_MAX)
          " (default " NUM(CLI_PER_HOST_DEFAULT) ")"),
    STRING("rate", lib.rate, rate, "R",
           "requests started per unit of time, in all; R is N/s, N/m or N/h "
           "(100/s, 600/m, 0.5/s)"),
    STRING("host-rate", lib.host_rate, rate, "R",
           "the same, for each host on its own"),
    COUNT("burst", 0, lib.burst, 1, CLI_BURST_MAX,
          "requests a rate lets through at once after a quiet spell, "
          "1.." NUM(CLI_BURST_MAX) " (default " NUM(CLI_BURST_DEFAULT)
          ": evenly spaced)"),
    {"limit-rate", 0, SL_OPT_FUNC, .at = AT(lib.bandwidth, uint64_t),
     .max = CLI_BANDWIDTH_MAX, .fn = size, .arg = "R",
     .help = "receive at most R bytes per second over all transfers "
             "together (k, M, G: 1024-based; curl's is per transfer)"},
    {"host-limit-rate", 0, SL_OPT_FUNC,
     .at = AT(lib.host_bandwidth, uint64_t), .max = CLI_BANDWIDTH_MAX,
     .fn = size, .arg = "R", .help = "the same, for each host on its own"},
    COUNT("retries", 0, lib.retries, 0, CLI_RETRIES_MAX,
          "retry a connect error, timeout, 408, 429, 500, 502, 503 or 504 up "
          "to N times, 0.." NUM(CLI_RETRIES_MAX)
          " (default 0), with exponential backoff"),
    COUNT("retry", 0, lib.retries, 0, CLI_RETRIES_MAX,
          "the same as --retries"),
    DURATION("retry-max-delay", lib.retry_max_delay_ms, 1, DURATION_MAX_MS,
             "longest wait before one retry, and longest pause of a host by "
             "Retry-After (default 30s)"),
    FLAG("robots", lib.robots,
         "obey robots.txt: fetch each origin's once, for the User-Agent's "
         "product token; a URL it refuses is not fetched (kind \"robots\", "
         "the message naming the rule); its Crawl-delay spaces the host's "
         "requests"),

    {.kind = SL_OPT_SECTION, .help = "Names:"},
    {"dns-server", 0, SL_OPT_FUNC, .at = AT(dns_servers, struct sl_buf),
     .fn = dns_server, .arg = "ADDR[:PORT]",
     .help = "ask this DNS server (IPv6 as [::1]:53) instead of "
             "/etc/resolv.conf's; repeatable"},
    DURATION("dns-timeout", lib.dns_timeout_ms, 1, CLI_DNS_TIMEOUT_MAX_MS,
             "the longest a name may take to resolve, both tries told "
             "(default 5s, at most 1h)"),
    LIST("resolve", 0, resolve, resolve, "HOST:PORT:ADDR[,ADDR]",
         "use ADDR for HOST:PORT without asking DNS, as curl's --resolve; "
         "repeatable"),
    {0}};
/* clang-format on */

static const char usage[] =
    "Usage: sluice [OPTIONS] [URL ...]\n"
    "Fetch many URLs at once and write one JSON Lines record per URL.\n"
    "\n"
    "URLs come from the arguments, then from each --input file; with\n"
    "neither, from standard input.  In input files, blank lines and lines\n"
    "starting with '#' are skipped; every other line is one URL.\n";

static const char footer[] =
    "\n"
    "DUR is a number with a unit, ms, s, m or h (250ms, 10s, 2m, 1h), or a\n"
    "plain number of seconds (1.5); 0 means no limit (--retry-max-delay\n"
    "and --dns-timeout need more than 0).\n"
    "\n"
    "Every URL gets exactly one record.  After --deadline, --fail-fast or\n"
    "--first ends the run, the URLs not yet read are still read, and each\n"
    "gets a \"cancelled\" record without being fetched.  On SIGINT,\n"
    "SIGTERM or SIGHUP, everything running is cancelled, reading stops, and\n"
    "the URLs read so far get their records; a second signal exits at once.\n"
    "SIGUSR1 prints every URL in flight on standard error; the run goes on.\n"
    "\n"
    "A 429 or 503 answer with Retry-After pauses its whole host until\n"
    "then, with or without --retries, but for --retry-max-delay at most;\n"
    "a URL whose host is paused past its --timeout fails at once.\n"
    "\n"
    "Each record: "
    "{\"index\",\"url\",\"status\",\"ok\",\"bytes\",\"time_ms\",\n"
    "\"attempts\",\"error\",\"final_url\",\"content_type\",\"redirects\",\n"
    "\"http_version\",\"ip\",\"file\",\"timing\":{\"queued\",\"dns\","
    "\"connect\",\n"
    "\"tls\",\"ttfb\",\"total\"}} (see sluice(1)), in completion order "
    "(input\n"
    "order with --ordered); a summary goes to standard error at the end\n"
    "(not with -s).\n"
    "\n"
    "Long options are matched whole, never by a prefix.\n"
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
    "  130, 143, 129  interrupted by SIGINT, SIGTERM or SIGHUP (128 + the\n"
    "     signal)\n";

/* Long options match whole names only (SL_OPTS_EXACT): with a prefix,
   "--retry" once meant --retry-max-delay and "--fail" --fail-fast. */
static const struct sl_opts cli = {.prog = "sluice",
                                   .table = table,
                                   .usage = usage,
                                   .footer = footer,
                                   .flags = SL_OPTS_EXACT};

void options_hint(FILE *f)
{
  fputs("Try 'sluice --help' for more information.\n", f);
}

/* Options that do not go together.  NULL, or why. */
static const char *conflict(const struct cli_options *o)
{
  bool body = o->data.args.n > 0;
  bool head = o->run.head || (o->run.method && !strcmp(o->run.method, "HEAD"));

  if(o->run.fail_fast && o->run.first) {
    return "--fail-fast and --first cannot be used together";
  }
  if(head && body) {
    return "a HEAD request (-I, -X HEAD) cannot send a body (-d)";
  }
  if(o->run.head && o->run.method && strcmp(o->run.method, "HEAD")) {
    return "-I and -X name two methods";
  }
  if((o->output_template || o->keep_partial) && !o->output_dir) {
    return "--output-template and --keep-partial need --output-dir";
  }
  if(o->resume && !o->results) {
    return "--resume needs --results FILE: the records to go on from";
  }
  return NULL;
}

/* lib.headers: -e's line (unless a -H names Referer), then the -H lines,
   which replace the User-Agent of -A by name in the library.  0, or -1
   when memory ran out. */
static int header_lines(struct cli_options *o)
{
  bool named = false;

  for(size_t i = 0; i < o->headers.n; i++) {
    named |= !strncasecmp(o->headers.v[i], "Referer", 7) &&
             strchr(":;", o->headers.v[i][7]);
  }
  if(o->referer && !named &&
     (sl_buf_printf(&o->referer_line, "Referer: %s", o->referer) ||
      sl_opt_list_add(&o->lines, o->referer_line.p))) {
    return -1;
  }
  for(size_t i = 0; i < o->headers.n; i++) {
    if(sl_opt_list_add(&o->lines, o->headers.v[i])) {
      return -1;
    }
  }
  o->lib.headers = o->lines.v;
  return 0;
}

/* What the table cannot say: conflicts, and the values made of others. */
static enum sl_opts_rc finish(struct cli_options *o)
{
  const char *why = conflict(o);

  if(why) {
    fprintf(stderr, "sluice: %s\n", why);
    return SL_OPTS_USAGE;
  }
  if(header_lines(o)) {
    fputs("sluice: out of memory\n", stderr);
    return SL_OPTS_USAGE;
  }
  /* robots.txt is fetched with the URLs' own timeout */
  o->lib.robots_timeout_ms = o->run.timeout_ms;
  /* curl's --max-redirs 0: not one redirect */
  o->run.max_redirects = o->max_redirs < 0    ? 0
                         : o->max_redirs == 0 ? SL_REDIRECTS_NONE
                                              : o->max_redirs;
  return SL_OPTS_RUN;
}

enum sl_opts_rc options_parse(struct cli_options *opts, int argc, char **argv)
{
  enum sl_opts_rc rc;

  memset(opts, 0, sizeof(*opts));
  opts->lib.max_concurrency = CLI_CONCURRENCY_DEFAULT;
  opts->lib.per_host = CLI_PER_HOST_DEFAULT;
  opts->lib.burst = CLI_BURST_DEFAULT;
  opts->max_redirs = -1;
  rc = sl_opts_parse(&cli, opts, argc, argv, &opts->nurls);
  if(rc == SL_OPTS_RUN) {
    rc = finish(opts);
  }
  if(rc == SL_OPTS_USAGE) {
    options_hint(stderr);
  }
  opts->urls = argv + 1;
  opts->lib.resolve = opts->resolve.v;
  opts->lib.dns_servers = opts->dns_servers.len ? opts->dns_servers.p : NULL;
  if(!opts->output_template) {
    opts->output_template = SAVENAME_DEFAULT;
  }
  return rc;
}

void options_free(struct cli_options *opts)
{
  sl_opt_list_free(&opts->inputs);
  sl_opt_list_free(&opts->resolve);
  sl_opt_list_free(&opts->headers);
  sl_opt_list_free(&opts->lines);
  sl_buf_free(&opts->dns_servers);
  sl_buf_free(&opts->referer_line);
  data_free(&opts->data);
  opts->lib.resolve = NULL;
  opts->lib.dns_servers = NULL;
  opts->lib.headers = NULL;
}
