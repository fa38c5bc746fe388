/*
 * opts.c - the table-driven option parser.  See opts.h.
 *
 * A table is a few dozen entries, so finding an option is a linear scan:
 * simpler than an index, and nothing next to the fetching it sets up.
 */
#include "base/opts.h"

#include "base/term.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"

#define HELP_COL   26 /* where the help of a row starts */
#define HELP_WIDTH 78 /* the longest line */

static const struct sl_opts_words default_words = {
    "%s: unknown option",
    "%s: ambiguous option",
    "%s: missing value",
    "%s: '%s' is not a number between %ld and %ld",
};

int sl_opt_list_add(struct sl_opt_list *l, const char *s)
{
  /* room for the NULL after the last one */
  if(sl_array_reserve(l->v, l->cap, l->n + 2, 8))
    return -1;
  l->v[l->n++] = s;
  l->v[l->n] = NULL;
  return 0;
}

void sl_opt_list_free(struct sl_opt_list *l)
{
  free(l->v);
  l->v = NULL;
  l->n = l->cap = 0;
}

/* Prints "PROG: " and the message; returns SL_OPTS_USAGE.  fmt is one of
   the words or a literal, so it is not checked as a format here. */
static enum sl_opts_rc complain(const struct sl_opts *p, const char *fmt, ...)
{
  va_list ap;
  char *msg = NULL;
  int n;

  va_start(ap, fmt);
  n = vasprintf(&msg, fmt, ap);
  va_end(ap);
  /* the values quoted may come from anywhere (xargs over a list): kept
     from driving the terminal */
  sl_term_printf(stderr, "%s: %s\n", p->prog, n < 0 ? "out of memory" : msg);
  free(msg);
  return SL_OPTS_USAGE;
}

static const struct sl_opts_words *words(const struct sl_opts *p)
{
  return p->words ? p->words : &default_words;
}

static bool takes_value(const struct sl_opt *o)
{
  switch(o->kind) {
    case SL_OPT_FLAG:
    case SL_OPT_HELP:
      return false;
    case SL_OPT_FUNC:
      return !(o->flags & SL_OPT_NOVAL);
    default:
      return true;
  }
}

/* A plain decimal number in min..max (min >= 0): no sign, no space. */
static int number(const char *s, long min, long max, unsigned long *out)
{
  char *end;
  unsigned long v;

  if(*s < '0' || *s > '9')
    return -1;
  errno = 0;
  v = strtoul(s, &end, 10);
  if(errno || *end || v < (unsigned long)min || v > (unsigned long)max)
    return -1;
  *out = v;
  return 0;
}

/* Stores val, the value of o (NULL when it takes none), into dest. */
static enum sl_opts_rc apply(const struct sl_opts *p, const struct sl_opt *o,
                             void *dest, const char *val)
{
  void *field = (char *)dest + o->at;
  char msg[SL_OPT_MSG];
  const char *why = o->fn ? o->fn(o, field, val, msg) : NULL;
  unsigned long n;

  if(why)
    return complain(p, "--%s: %s", o->name, why);
  switch(o->kind) {
    case SL_OPT_FLAG:
      *(bool *)field = true;
      break;
    case SL_OPT_UINT:
    case SL_OPT_LONG:
      if(number(val, o->min, o->max, &n)) {
        snprintf(msg, sizeof(msg), "--%s", o->name);
        return complain(p, words(p)->number, msg, val, o->min, o->max);
      }
      if(o->kind == SL_OPT_UINT)
        *(unsigned *)field = (unsigned)n;
      else
        *(long *)field = (long)n;
      break;
    case SL_OPT_STR:
      *(const char **)field = val;
      break;
    case SL_OPT_LIST:
      if(sl_opt_list_add(field, val))
        return complain(p, "--%s: out of memory", o->name);
      break;
    case SL_OPT_HELP:
      sl_opts_help(p, stdout);
      return SL_OPTS_EXIT;
    default:
      break;
  }
  return o->flags & SL_OPT_ENDS ? SL_OPTS_EXIT : SL_OPTS_RUN;
}

/* The entry whose long name is name[0..n), or the one it is the prefix
   of (unless p wants exact names); NULL when there is none, or several
   (*ambiguous). */
static const struct sl_opt *
find_long(const struct sl_opts *p, const char *name, size_t n, bool *ambiguous)
{
  const struct sl_opt *hit = NULL;
  int hits = 0;

  for(const struct sl_opt *o = p->table; o->kind != SL_OPT_END; o++) {
    if(!o->name || strncmp(o->name, name, n))
      continue;
    if(!o->name[n])
      return o;
    if(!(p->flags & SL_OPTS_EXACT)) {
      hit = o;
      hits++;
    }
  }
  *ambiguous = hits > 1;
  return hits == 1 ? hit : NULL;
}

static const struct sl_opt *find_short(const struct sl_opts *p, int letter)
{
  for(const struct sl_opt *o = p->table; o->kind != SL_OPT_END; o++)
    if(o->name && o->letter == letter)
      return o;
  return NULL;
}

/* argv[*i] is "--name" or "--name=value"; a value may be the next
   argument, which *i then passes. */
static enum sl_opts_rc long_option(const struct sl_opts *p, void *dest,
                                   int argc, char **argv, int *i)
{
  const char *name = argv[*i] + 2;
  size_t n = strcspn(name, "=");
  const char *val = name[n] ? name + n + 1 : NULL;
  bool ambiguous = false;
  const struct sl_opt *o = find_long(p, name, n, &ambiguous);
  char as_written[256]; /* "--name", without the value */

  snprintf(as_written, sizeof(as_written), "--%.*s", (int)n, name);
  if(!o)
    return complain(p, ambiguous ? words(p)->ambiguous : words(p)->unknown,
                    as_written);
  if(!takes_value(o))
    return val ? complain(p, words(p)->unknown, as_written)
               : apply(p, o, dest, NULL);
  if(!val) {
    if(*i + 1 >= argc)
      return complain(p, words(p)->missing, as_written);
    val = argv[++*i];
  }
  return apply(p, o, dest, val);
}

/* argv[*i] is "-abc": options a, b and c, or "-jVALUE". */
static enum sl_opts_rc short_options(const struct sl_opts *p, void *dest,
                                     int argc, char **argv, int *i)
{
  for(const char *s = argv[*i] + 1; *s; s++) {
    const struct sl_opt *o = find_short(p, (unsigned char)*s);
    char as_written[3] = {'-', *s, '\0'};
    enum sl_opts_rc rc;

    if(!o)
      return complain(p, words(p)->unknown, as_written);
    if(takes_value(o)) {
      if(s[1])
        return apply(p, o, dest, s + 1);
      if(*i + 1 >= argc)
        return complain(p, words(p)->missing, as_written);
      return apply(p, o, dest, argv[++*i]);
    }
    rc = apply(p, o, dest, NULL);
    if(rc != SL_OPTS_RUN)
      return rc;
  }
  return SL_OPTS_RUN;
}

enum sl_opts_rc sl_opts_parse(const struct sl_opts *p, void *dest, int argc,
                              char **argv, int *nops)
{
  bool operands_only = false;
  int n = 0;

  *nops = 0;
  for(int i = 1; i < argc; i++) {
    char *a = argv[i];
    enum sl_opts_rc rc;

    if(operands_only || a[0] != '-' || !a[1]) {
      /* i >= 1 + n: this never overwrites what is still to be read */
      argv[1 + n++] = a;
      continue;
    }
    if(!strcmp(a, "--")) {
      operands_only = true;
      continue;
    }
    rc = a[1] == '-' ? long_option(p, dest, argc, argv, &i)
                     : short_options(p, dest, argc, argv, &i);
    if(rc != SL_OPTS_RUN)
      return rc;
  }
  *nops = n;
  return SL_OPTS_RUN;
}

/* Prints text from column col, word by word, each line from column
   HELP_COL and at most HELP_WIDTH long; a '\n' in text breaks the line.
   Ends the line. */
static void wrap(FILE *f, const char *text, int col)
{
  int len = col;

  while(*text) {
    size_t n = strcspn(text, " \n");

    if(n) {
      if(len > HELP_COL && len + 1 + (int)n > HELP_WIDTH)
        len = fprintf(f, "\n%*s", HELP_COL, "") - 1;
      else if(len > HELP_COL)
        len += fprintf(f, " ");
      else
        len += fprintf(f, "%*s", HELP_COL - len, "");
      len += fprintf(f, "%.*s", (int)n, text);
    }
    text += n;
    if(*text == '\n')
      len = fprintf(f, "\n%*s", HELP_COL, "") - 1;
    if(*text)
      text++;
  }
  fputc('\n', f);
}

/* "  -x, --name ARG", the help beside it or, when the left part is too
   wide, below it. */
static void help_row(FILE *f, const struct sl_opt *o)
{
  int col;

  if(o->letter)
    col = fprintf(f, "  -%c, --%s", o->letter, o->name);
  else
    col = fprintf(f, "      --%s", o->name);
  if(o->arg)
    col += fprintf(f, " %s", o->arg);
  if(col > HELP_COL - 2) {
    fputc('\n', f);
    col = 0;
  }
  wrap(f, o->help, col);
}

void sl_opts_help(const struct sl_opts *p, FILE *f)
{
  if(p->usage)
    fputs(p->usage, f);
  for(const struct sl_opt *o = p->table; o->kind != SL_OPT_END; o++) {
    if(o->kind == SL_OPT_SECTION)
      fprintf(f, "\n%s\n", o->help);
    else if(o->help)
      help_row(f, o);
  }
  if(p->footer)
    fputs(p->footer, f);
}
