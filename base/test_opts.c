/*
 * test_opts.c - base/opts: argv read as GNU getopt reads it (operands
 * anywhere, "--", clusters, "=value"), every kind of value, prefixes
 * (unique, ambiguous, exact names only), the messages word for word, and
 * the --help layout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/opts.h"

struct dest {
  bool quiet, secret;
  unsigned jobs;
  long port;
  const char *name, *zone, *zone_file;
  struct sl_opt_list tags;
  int level;
};

#define AT(member, ctype) SL_OPT_AT(struct dest, member, ctype)

static const char *nonempty(const struct sl_opt *o, void *field,
                            const char *arg, char *msg)
{
  return *arg ? NULL : "the name is empty";
}

static const char *level(const struct sl_opt *o, void *field, const char *arg,
                         char *msg)
{
  if(strcmp(arg, "low") && strcmp(arg, "high")) {
    snprintf(msg, SL_OPT_MSG, "'%s' is not a level", arg);
    return msg;
  }
  *(int *)field = arg[0] == 'h' ? 2 : 1;
  return NULL;
}

static const char *version(const struct sl_opt *o, void *field,
                           const char *arg, char *msg)
{
  assert_null(arg);
  printf("t 1.0\n");
  return NULL;
}

static const struct sl_opt table[] = {
    {.kind = SL_OPT_SECTION, .help = "Options:"},
    {"quiet", 'q', SL_OPT_FLAG, .at = AT(quiet, bool), .help = "say less"},
    {"jobs", 'j', SL_OPT_UINT, .at = AT(jobs, unsigned), .min = 1, .max = 64,
     .arg = "N", .help = "jobs at once, 1..64"},
    {"port", 0, SL_OPT_LONG, .at = AT(port, long), .max = 65535, .arg = "N",
     .help = "a port"},
    {"name", 'n', SL_OPT_STR, .at = AT(name, const char *), .fn = nonempty,
     .arg = "STR",
     .help = "a name that takes many words to explain, so many that they "
             "wrap onto a second line and then a third, as help does"},
    {"tag", 't', SL_OPT_LIST, .at = AT(tags, struct sl_opt_list), .arg = "T",
     .help = "a tag;\nrepeatable"},
    {"level", 0, SL_OPT_FUNC, .at = AT(level, int), .fn = level,
     .arg = "low|high|and|more", .help = "how much"},
    {"zone", 0, SL_OPT_STR, .at = AT(zone, const char *), .arg = "Z",
     .help = "a zone"},
    {"zone-file", 0, SL_OPT_STR, .at = AT(zone_file, const char *), .arg = "F",
     .help = "zones"},
    {"secret", 0, SL_OPT_FLAG, .at = AT(secret, bool)},
    {.kind = SL_OPT_SECTION, .help = "Other:"},
    {"version", 'V', SL_OPT_FUNC, SL_OPT_NOVAL | SL_OPT_ENDS, .fn = version,
     .help = "show the version"},
    {"help", 'h', SL_OPT_HELP, .help = "show this help"},
    {0}};

static struct sl_opts prog = {
    "t", table, "Usage: t [OPTIONS]\n", "\nThe end.\n", NULL, 0};

static char out_text[8192], err_text[8192];
static int nops;

/* Runs the parser on the NULL-terminated args into d (set to the
   defaults first), capturing stdout and stderr in out_text and
   err_text. */
static enum sl_opts_rc parse_with(const struct sl_opts *p, struct dest *d,
                                  char **args)
{
  FILE *out = tmpfile(), *err = tmpfile();
  int saved_out = dup(1), saved_err = dup(2), argc = 0;
  enum sl_opts_rc rc;
  size_t n;

  assert_non_null(out);
  assert_non_null(err);
  while(args[argc])
    argc++;
  memset(d, 0, sizeof(*d));
  d->jobs = 4;
  d->port = -1;
  fflush(stdout);
  fflush(stderr);
  dup2(fileno(out), 1);
  dup2(fileno(err), 2);
  rc = sl_opts_parse(p, d, argc, args, &nops);
  fflush(stdout);
  fflush(stderr);
  dup2(saved_out, 1);
  dup2(saved_err, 2);
  close(saved_out);
  close(saved_err);
  rewind(out);
  n = fread(out_text, 1, sizeof(out_text) - 1, out);
  out_text[n] = '\0';
  rewind(err);
  n = fread(err_text, 1, sizeof(err_text) - 1, err);
  err_text[n] = '\0';
  fclose(out);
  fclose(err);
  return rc;
}

#define ARGS(...)     ((char *[]){"t", __VA_ARGS__, NULL})
#define PARSE(d, ...) parse_with(&prog, (d), ARGS(__VA_ARGS__))

static void test_operands_stay_in_order(void **state)
{
  struct dest d;
  char **argv = ARGS("a", "-q", "b", "--jobs", "8", "-", "--", "-c", "--x");
  (void)state;
  assert_int_equal(parse_with(&prog, &d, argv), SL_OPTS_RUN);
  assert_int_equal(nops, 5);
  assert_string_equal(argv[1], "a");
  assert_string_equal(argv[2], "b");
  assert_string_equal(argv[3], "-");
  assert_string_equal(argv[4], "-c");
  assert_string_equal(argv[5], "--x");
  assert_true(d.quiet);
  assert_int_equal(d.jobs, 8);
  assert_int_equal(d.port, -1); /* untouched: the default */
  assert_null(d.name);
  assert_string_equal(err_text, "");
}

static void test_value_forms(void **state)
{
  struct dest d;
  (void)state;
  assert_int_equal(PARSE(&d, "--jobs=9"), SL_OPTS_RUN);
  assert_int_equal(d.jobs, 9);
  assert_int_equal(PARSE(&d, "-j10"), SL_OPTS_RUN);
  assert_int_equal(d.jobs, 10);
  assert_int_equal(PARSE(&d, "-qj", "11", "x"), SL_OPTS_RUN);
  assert_true(d.quiet);
  assert_int_equal(d.jobs, 11);
  assert_int_equal(nops, 1);
  /* a value is taken as it is, even when it looks like an option */
  assert_int_equal(PARSE(&d, "--name", "-q", "--port=0"), SL_OPTS_RUN);
  assert_string_equal(d.name, "-q");
  assert_false(d.quiet);
  assert_int_equal(d.port, 0);
  assert_int_equal(PARSE(&d, "--port", "65535", "--level", "high"),
                   SL_OPTS_RUN);
  assert_int_equal(d.port, 65535);
  assert_int_equal(d.level, 2);
}

static void test_bad_values(void **state)
{
  static const char *const bad_jobs[] = {
      "0", "65", "-1", "+1", " 1", "1x", "", "0x1", "99999999999999999999"};
  struct dest d;
  char want[200];
  (void)state;
  for(size_t i = 0; i < sizeof(bad_jobs) / sizeof(bad_jobs[0]); i++) {
    assert_int_equal(PARSE(&d, "-j", (char *)bad_jobs[i]), SL_OPTS_USAGE);
    snprintf(want, sizeof(want),
             "t: --jobs: '%s' is not a number between 1 and 64\n",
             bad_jobs[i]);
    assert_string_equal(err_text, want);
  }
  assert_int_equal(PARSE(&d, "--port=65536"), SL_OPTS_USAGE);
  assert_string_equal(err_text,
                      "t: --port: '65536' is not a number between 0 and "
                      "65535\n");
  assert_int_equal(PARSE(&d, "--name="), SL_OPTS_USAGE);
  assert_string_equal(err_text, "t: --name: the name is empty\n");
  assert_int_equal(PARSE(&d, "--level", "mid"), SL_OPTS_USAGE);
  assert_string_equal(err_text, "t: --level: 'mid' is not a level\n");
}

static void test_parse_errors(void **state)
{
  struct dest d;
  (void)state;
  assert_int_equal(PARSE(&d, "--bogus=1", "--jobs", "x"), SL_OPTS_USAGE);
  assert_string_equal(err_text, "t: --bogus: unknown option\n");
  assert_int_equal(PARSE(&d, "-qx"), SL_OPTS_USAGE);
  assert_string_equal(err_text, "t: -x: unknown option\n");
  assert_int_equal(PARSE(&d, "--quiet=1"), SL_OPTS_USAGE);
  assert_string_equal(err_text, "t: --quiet: unknown option\n");
  assert_int_equal(PARSE(&d, "--jobs"), SL_OPTS_USAGE);
  assert_string_equal(err_text, "t: --jobs: missing value\n");
  assert_int_equal(PARSE(&d, "-qj"), SL_OPTS_USAGE);
  assert_string_equal(err_text, "t: -j: missing value\n");
  assert_int_equal(PARSE(&d, "--zo", "x"), SL_OPTS_USAGE);
  assert_string_equal(err_text, "t: --zo: ambiguous option\n");
}

static void test_prefixes(void **state)
{
  struct sl_opts exact = prog;
  struct dest d;
  (void)state;
  assert_int_equal(PARSE(&d, "--jo", "3", "--q"), SL_OPTS_RUN);
  assert_int_equal(d.jobs, 3);
  assert_true(d.quiet);
  /* a whole name wins over the longer ones it begins */
  assert_int_equal(PARSE(&d, "--zone", "z", "--zone-f=f"), SL_OPTS_RUN);
  assert_string_equal(d.zone, "z");
  assert_string_equal(d.zone_file, "f");
  /* a hidden option is an option all the same */
  assert_int_equal(PARSE(&d, "--secret"), SL_OPTS_RUN);
  assert_true(d.secret);

  exact.flags = SL_OPTS_EXACT;
  assert_int_equal(parse_with(&exact, &d, ARGS("--jo", "3")), SL_OPTS_USAGE);
  assert_string_equal(err_text, "t: --jo: unknown option\n");
  assert_int_equal(parse_with(&exact, &d, ARGS("--zone-fil", "f")),
                   SL_OPTS_USAGE);
  assert_string_equal(err_text, "t: --zone-fil: unknown option\n");
  assert_int_equal(
      parse_with(&exact, &d, ARGS("--zone-file", "f", "--jobs=5")),
      SL_OPTS_RUN);
  assert_int_equal(d.jobs, 5);
}

static void test_lists(void **state)
{
  struct dest d;
  (void)state;
  assert_int_equal(PARSE(&d, "-t", "a", "--tag=b", "-tc", "--ta", ""),
                   SL_OPTS_RUN);
  assert_int_equal(d.tags.n, 4);
  assert_string_equal(d.tags.v[0], "a");
  assert_string_equal(d.tags.v[1], "b");
  assert_string_equal(d.tags.v[2], "c");
  assert_string_equal(d.tags.v[3], "");
  assert_null(d.tags.v[4]);
  sl_opt_list_free(&d.tags);
  assert_null(d.tags.v);
  assert_int_equal(d.tags.n, 0);
  assert_int_equal(PARSE(&d, "x"), SL_OPTS_RUN);
  assert_null(d.tags.v);
  sl_opt_list_free(&d.tags);
}

static void test_words(void **state)
{
  static const struct sl_opts_words words = {
      "unknown option '%s'", "ambiguous option '%s'",
      "option '%s' needs a value", "%s: invalid value '%s' (%ld-%ld)"};
  struct sl_opts other = prog;
  struct dest d;
  (void)state;
  other.words = &words;
  assert_int_equal(parse_with(&other, &d, ARGS("--bogus")), SL_OPTS_USAGE);
  assert_string_equal(err_text, "t: unknown option '--bogus'\n");
  assert_int_equal(parse_with(&other, &d, ARGS("--z")), SL_OPTS_USAGE);
  assert_string_equal(err_text, "t: ambiguous option '--z'\n");
  assert_int_equal(parse_with(&other, &d, ARGS("-j")), SL_OPTS_USAGE);
  assert_string_equal(err_text, "t: option '-j' needs a value\n");
  assert_int_equal(parse_with(&other, &d, ARGS("--jobs", "x")), SL_OPTS_USAGE);
  assert_string_equal(err_text, "t: --jobs: invalid value 'x' (1-64)\n");
}

/* --help and an SL_OPT_ENDS option end parsing: what follows is not
   read, not even to complain */
static void test_ending_options(void **state)
{
  struct dest d;
  (void)state;
  assert_int_equal(PARSE(&d, "-Vx", "--bogus"), SL_OPTS_EXIT);
  assert_string_equal(out_text, "t 1.0\n");
  assert_string_equal(err_text, "");
  assert_int_equal(PARSE(&d, "-q", "--he", "-j", "0"), SL_OPTS_EXIT);
  assert_true(d.quiet);
  assert_non_null(strstr(out_text, "Usage: t [OPTIONS]\n"));
  assert_string_equal(err_text, "");
  assert_int_equal(PARSE(&d, "--bogus", "-h"), SL_OPTS_USAGE);
  assert_string_equal(out_text, "");
}

static void test_help_layout(void **state)
{
  static const char want[] =
      "Usage: t [OPTIONS]\n"
      "\n"
      "Options:\n"
      "  -q, --quiet             say less\n"
      "  -j, --jobs N            jobs at once, 1..64\n"
      "      --port N            a port\n"
      "  -n, --name STR          a name that takes many words to explain, "
      "so many\n"
      "                          that they wrap onto a second line and then "
      "a third,\n"
      "                          as help does\n"
      "  -t, --tag T             a tag;\n"
      "                          repeatable\n"
      "      --level low|high|and|more\n"
      "                          how much\n"
      "      --zone Z            a zone\n"
      "      --zone-file F       zones\n"
      "\n"
      "Other:\n"
      "  -V, --version           show the version\n"
      "  -h, --help              show this help\n"
      "\n"
      "The end.\n";
  FILE *f = tmpfile();
  char got[sizeof(want) + 100];
  size_t n;
  (void)state;
  assert_non_null(f);
  sl_opts_help(&prog, f);
  rewind(f);
  n = fread(got, 1, sizeof(got) - 1, f);
  got[n] = '\0';
  fclose(f);
  assert_string_equal(got, want);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_operands_stay_in_order),
      cmocka_unit_test(test_value_forms),
      cmocka_unit_test(test_bad_values),
      cmocka_unit_test(test_parse_errors),
      cmocka_unit_test(test_prefixes),
      cmocka_unit_test(test_lists),
      cmocka_unit_test(test_words),
      cmocka_unit_test(test_ending_options),
      cmocka_unit_test(test_help_layout),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
