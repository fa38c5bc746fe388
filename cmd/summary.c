/*
 * summary.c - counts outcomes and prints the end-of-run summary.
 *
 * The summary goes to stderr so that stdout stays pure JSON Lines; it is
 * one paragraph a person can read at a glance and a script can still grep.
 */
#include "summary.h"

#include <inttypes.h>
#include <string.h>

void summary_init(struct summary *s)
{
  memset(s, 0, sizeof(*s));
}

void summary_add_ok(struct summary *s, uint64_t bytes)
{
  s->urls++;
  s->ok++;
  s->bytes += bytes;
}

void summary_add_http_error(struct summary *s, uint64_t bytes)
{
  s->urls++;
  s->http_errors++;
  s->bytes += bytes;
}

void summary_add_failed(struct summary *s, int kind, const char *kind_name)
{
  if(kind < 0 || kind >= SUMMARY_KINDS) {
    kind = SUMMARY_KINDS - 1;
  }
  s->urls++;
  s->failed++;
  s->by_kind[kind]++;
  if(!s->kind_name[kind]) {
    s->kind_name[kind] = kind_name ? kind_name : "unknown";
  }
}

bool summary_all_ok(const struct summary *s)
{
  return s->ok == s->urls;
}

/* "27.6 MB": SI units, as network tools count. */
static void print_bytes(uint64_t n, FILE *f)
{
  static const char *const units[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
  double v = (double)n;
  int u = -1;

  if(n < 1000) {
    fprintf(f, "%" PRIu64 " byte%s", n, n == 1 ? "" : "s");
    return;
  }
  while(v >= 1000 && u < 5) {
    v /= 1000;
    u++;
  }
  fprintf(f, "%.1f %s", v, units[u]);
}

void summary_print(const struct summary *s, double wall_s, FILE *f)
{
  double rate = wall_s > 0 ? (double)s->urls / wall_s : 0;
  bool first = true;

  fprintf(f,
          "sluice: %" PRIu64 " URL%s in %.2f s (%.0f req/s): %" PRIu64
          " ok, %" PRIu64 " http error%s, %" PRIu64 " failed",
          s->urls, s->urls == 1 ? "" : "s", wall_s, rate, s->ok,
          s->http_errors, s->http_errors == 1 ? "" : "s", s->failed);
  if(s->failed) {
    fputs(" (", f);
    for(int k = 0; k < SUMMARY_KINDS; k++) {
      if(s->by_kind[k]) {
        fprintf(f, "%s%s %" PRIu64, first ? "" : ", ", s->kind_name[k],
                s->by_kind[k]);
        first = false;
      }
    }
    fputc(')', f);
  }
  fputs("; ", f);
  print_bytes(s->bytes, f);
  fputs(" received\n", f);
}
