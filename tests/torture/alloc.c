/*
 * alloc.c - allocation failures on demand, for the torture runs (curl's
 * torture tests and c-ares's SetAllocFail are the models).  Linked into a
 * test program with -Wl,--wrap=malloc,... (see meson.build), it counts
 * every allocation of sluice's own code (malloc, calloc, realloc,
 * strdup, strndup, vasprintf) and, through their allocator hooks, of
 * libcurl (curl_global_init_mem) and c-ares (ares_library_init_mem);
 * with SL_ALLOC_FAIL=N in the environment the Nth one fails (returns
 * NULL, or -1), once, and with SL_ALLOC_TRACE set too, the stack of that
 * allocation goes to stderr.  At exit it prints "alloc: COUNT allocations" on
 * stderr, so a driver knows how many N to try (scripts/torture.sh).
 *
 * libev's allocations are counted but never failed: libev aborts by
 * design when its allocator returns NULL (ev_realloc), and no caller
 * can do otherwise.  Memory still comes from the real allocator, so
 * AddressSanitizer sees every leak and every use after free.
 */
#include <ares.h>
#include <curl/curl.h>
#include <ev.h>
#include <execinfo.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_vasprintf(char **out, const char *fmt, va_list ap);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_vasprintf(char **out, const char *fmt, va_list ap);

static unsigned long count, fail_at;
static bool armed;

/* Counts one allocation; true when it is the one to fail. */
static bool fail_now(void)
{
  void *frames[32];
  if(!armed || ++count != fail_at)
    return false;
  if(getenv("SL_ALLOC_TRACE")) {
    fprintf(stderr, "alloc: failing allocation %lu at:\n", count);
    backtrace_symbols_fd(frames, backtrace(frames, 32), 2);
  }
  return true;
}

void *__wrap_malloc(size_t n)
{
  return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
  return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
  return fail_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
  return fail_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
  return fail_now() ? NULL : __real_strndup(s, n);
}

int __wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
  if(fail_now())
    return -1;
  return __real_vasprintf(out, fmt, ap);
}

/* libev's: counted, never failed (it would abort). */
static void *ev_alloc(void *p, long n)
{
  if(!n) {
    free(p);
    return NULL;
  }
  if(armed)
    count++;
  return __real_realloc(p, (size_t)n);
}

static void lib_free(void *p)
{
  free(p);
}

static void report(void)
{
  fprintf(stderr, "alloc: %lu allocations\n", count);
  armed = false;
  curl_global_cleanup();
  ares_library_cleanup();
}

__attribute__((constructor)) static void start(void)
{
  const char *n = getenv("SL_ALLOC_FAIL");
  fail_at = n ? strtoul(n, NULL, 10) : 0;
  /* the first init of each library keeps its allocator: this one */
  if(curl_global_init_mem(CURL_GLOBAL_DEFAULT, __wrap_malloc, lib_free,
                          __wrap_realloc, __wrap_strdup, __wrap_calloc) ||
     ares_library_init_mem(ARES_LIB_INIT_ALL, __wrap_malloc, lib_free,
                           __wrap_realloc) != ARES_SUCCESS) {
    fputs("alloc: cannot install the allocators\n", stderr);
    exit(99);
  }
  ev_set_allocator(ev_alloc);
  atexit(report);
  armed = true;
}
