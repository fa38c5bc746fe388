/*
 * opts.c - fuzzes the table-driven option parser (base/opts.c) through
 * the sluice command line's own table (cmd/options.c), so that every
 * kind of entry and every check of a value (durations, rates,
 * --resolve, --dns-server) sees hostile argv: the input split at NUL
 * bytes is argv[1..].  No crash, leak or undefined behaviour; a run
 * that parses has its operands in order among argv's strings and its
 * numbers within their ranges.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *copy = malloc(size + 1), *argv[MAX_ARGS + 2], *orig[MAX_ARGS + 2];
  struct cli_options o;
  int argc = 1;
  size_t pos = 0;

  if(!copy)
    return 0;
  memcpy(copy, data, size);
  copy[size] = '\0';
  argv[0] = "sluice";
  while(pos < size && argc <= MAX_ARGS) {
    argv[argc++] = copy + pos;
    pos += strlen(copy + pos) + 1;
  }
  argv[argc] = NULL;
  memcpy(orig, argv, sizeof(argv));
  if(options_parse(&o, argc, argv) == SL_OPTS_RUN) {
    if(o.nurls < 0 || o.nurls >= argc || o.lib.max_concurrency < 1 ||
       o.lib.max_concurrency > CLI_CONCURRENCY_MAX ||
       o.lib.retries > CLI_RETRIES_MAX)
      abort();
    for(int i = 0, k = 1; i < o.nurls; i++, k++) {
      while(k < argc && orig[k] != o.urls[i])
        k++; /* operands keep their order */
      if(k == argc)
        abort();
    }
  }
  options_free(&o);
  free(copy);
  return 0;
}
