/*
 * opts.h - command-line options from one table, for every program here
 * (curl's tool has its aliases[]).  An entry names a long option, its
 * short letter, the kind of its value, where the value goes, its range
 * and its help; parsing, checking and --help all come from the table, so
 * an option cannot be parsed without being documented, nor documented
 * without being parsed.
 *
 * The parser is its own loop, not getopt_long(): it keeps no global
 * state, tells an ambiguous option from an unknown one, and can refuse
 * abbreviations (SL_OPTS_EXACT).  Otherwise it reads argv as GNU getopt
 * does: options may come after operands, "--" ends them, "-" is an
 * operand, short options cluster ("-qv", "-j8"), a value follows its
 * option as the next argument or after '=' ("--jobs=8"), and a long
 * option may be shortened to a prefix that names one option only.
 */
#ifndef SL_BASE_OPTS_H
#define SL_BASE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What an entry is. */
enum sl_opt_kind {
  SL_OPT_END = 0, /* ends the table */
  SL_OPT_SECTION, /* no option: --help prints `help` as a heading */
  SL_OPT_FLAG,    /* no value: sets a bool to true */
  SL_OPT_UINT,    /* an unsigned, decimal digits only, min..max */
  SL_OPT_LONG,    /* a long, decimal digits only, min..max (min >= 0) */
  SL_OPT_STR,     /* a const char *: argv's own string */
  SL_OPT_LIST,    /* repeatable: appended to a struct sl_opt_list */
  SL_OPT_FUNC,    /* the program's own: `fn` parses and stores it */
  SL_OPT_HELP     /* no value: prints --help on stdout, then ends */
};

/* Flags of an entry. */
#define SL_OPT_NOVAL 0x1u /* SL_OPT_FUNC only: takes no value */
#define SL_OPT_ENDS  0x2u /* once it is done, parsing ends: exit 0 */

/* Room for a callback's message (longer ones are cut). */
#define SL_OPT_MSG 1024

struct sl_opt;

/* A check or a parser of the program's own.  field is where the entry's
   value goes (dest + at); arg is the value (NULL for SL_OPT_NOVAL).
   Returns NULL when arg is good, else why not: a static string, or msg
   after writing at most SL_OPT_MSG bytes into it.  The parser then
   prints "PROG: --NAME: why". */
typedef const char *sl_opt_fn(const struct sl_opt *o, void *field,
                              const char *arg, char *msg);

struct sl_opt {
  const char *name; /* long name without "--"; NULL for a section */
  int letter;       /* short option letter, or 0 */
  enum sl_opt_kind kind;
  unsigned flags;   /* SL_OPT_NOVAL, SL_OPT_ENDS */
  size_t at;        /* where the value goes: SL_OPT_AT() */
  long min, max;    /* the range of SL_OPT_UINT and SL_OPT_LONG;
                       free for `fn` to use (a bound, a value to
                       store, a selector) */
  sl_opt_fn *fn;    /* SL_OPT_FUNC: parses and stores the value;
                       other kinds: NULL, or a check of the value
                       before it is stored */
  const char *arg;  /* the value's name in --help ("FILE") */
  const char *help; /* --help text, wrapped to fit; NULL hides the
                       option; the heading of a section */
};

/* The offset of member in type, checked at compile time to be a ctype:
   a mismatch is a "distinct pointer types" diagnostic. */
#define SL_OPT_AT(type, member, ctype)                                        \
  (offsetof(type, member) + 0 * sizeof((ctype *)0 == &((type *)0)->member))

/* A number macro as text, for help strings: SL_OPT_XSTR(MAX) is "100". */
#define SL_OPT_XSTR_(x) #x
#define SL_OPT_XSTR(x)  SL_OPT_XSTR_(x)

/* What SL_OPT_LIST appends to. */
struct sl_opt_list {
  const char **v; /* the values in order, NULL-terminated; NULL when
                     nothing was added */
  size_t n, cap;
};

/* Appends s (not copied).  0, or -1 when memory ran out. */
int sl_opt_list_add(struct sl_opt_list *l, const char *s);
void sl_opt_list_free(struct sl_opt_list *l);

/* The wording of the parser's own messages, printf formats after
   "PROG: ".  The first three take the option as written ("--bogus",
   "-x"); number takes "--NAME", the value, min and max (longs). */
struct sl_opts_words {
  const char *unknown;   /* "%s: unknown option" */
  const char *ambiguous; /* "%s: ambiguous option" */
  const char *missing;   /* "%s: missing value" */
  const char *number;    /* "%s: '%s' is not a number between %ld and %ld" */
};

/* Flags of a program. */
#define SL_OPTS_EXACT 0x1u /* long options match whole names only */

/* A program's options. */
struct sl_opts {
  const char *prog;                  /* messages start "PROG: " */
  const struct sl_opt *table;        /* ends with an SL_OPT_END entry */
  const char *usage;                 /* --help: before the options */
  const char *footer;                /* --help: after them */
  const struct sl_opts_words *words; /* NULL: the wording above */
  unsigned flags;                    /* SL_OPTS_EXACT */
};

enum sl_opts_rc {
  SL_OPTS_RUN = 0, /* parsed: go on */
  SL_OPTS_EXIT,    /* --help or an SL_OPT_ENDS option was done: exit 0 */
  SL_OPTS_USAGE    /* a usage error was printed on stderr */
};

/* Parses argv[1..argc) into dest (which the caller initialised with the
   defaults).  The operands, in order, are moved to argv[1..1 + *nops).
   Values stored are argv's own strings.  Lists are allocated (whatever
   this returns, free them with sl_opt_list_free()). */
enum sl_opts_rc sl_opts_parse(const struct sl_opts *p, void *dest, int argc,
                              char **argv, int *nops);

/* Prints the help: usage, one row per option (sections as headings), the
   footer.  Rows are "  -x, --name ARG" and the help, wrapped from column
   26 to fit in 78. */
void sl_opts_help(const struct sl_opts *p, FILE *f);

#endif
