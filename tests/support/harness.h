/*
 * harness.h - the plumbing every integration test program shares: main()
 * takes the sluice-fixture binary from argv[1] and runs the file's tests
 * as one cmocka group; the group's setup starts the fixture(s) the file
 * asks for and its teardown stops them; contexts with the usual options;
 * requests for a fixture path.  Include it after <cmocka.h>.
 *
 * A file owns its fixtures (static struct fixture fx, or an array of them)
 * and says in a struct harness what the group needs:
 *
 *   int main(int argc, char **argv)
 *   {
 *     const struct CMUnitTest tests[] = {...};
 *     static const struct harness h = {.fx = &fx};
 *     return harness_main(argc, argv, tests, &h);
 *   }
 */
#ifndef SL_TESTS_HARNESS_H
#define SL_TESTS_HARNESS_H

#include <stdbool.h>

#include "sluice.h"
#include "support/fixture_proc.h"

/* Seconds a fixture lives at most: one left behind by a crashed test
   program goes away by itself. */
#define HARNESS_FIXTURE_LIFETIME 120

struct harness {
  struct fixture *fx; /* where the group's fixtures go */
  int fixtures;       /* how many: fx[0] .. fx[fixtures - 1]; 0 = 1.  Each
                         listens on its own port, so each is a host */
  /* With a DNS responder too, and these further sluice-fixture arguments
     (the zone, faults), NULL-terminated; NULL: HTTP only. */
  const char *const *dns_args;
  bool raise_nofile; /* lift the soft RLIMIT_NOFILE to the hard one before
                        the fixtures start (they inherit it) */
  bool quiet;        /* contexts from harness_ctx make no never-retrieved
                        report */
};

/* Takes the fixture binary from argv[1] and what the group needs; 0, or
   -1 with a usage line on stderr. */
int harness_init(int argc, char **argv, const struct harness *h);

/* cmocka group setup and teardown: start and stop the fixtures that
   harness_init described.  0, or -1 (every fixture stopped either way). */
int harness_setup(void **state);
int harness_teardown(void **state);

/* main()'s body: the file's tests (an array, as cmocka counts it) run as
   one group between harness_setup and harness_teardown; 2 for a usage
   error. */
#define harness_main(argc, argv, tests, h)                                    \
  (harness_init((argc), (argv), (h))                                          \
       ? 2                                                                    \
       : cmocka_run_group_tests(tests, harness_setup, harness_teardown))

/* A context with a global cap of max_concurrency and the group's quiet
   setting; fails the test when none can be made. */
sl_ctx *harness_ctx(unsigned max_concurrency);

/* A request for PATH on the group's first fixture, with FLAGS; every other
   field zero. */
struct sl_request harness_req(const char *path, unsigned flags);

/* sl_fetch of harness_req(path, flags), and the same in a group. */
sl_task *harness_get(sl_ctx *ctx, const char *path, unsigned flags);
sl_task *harness_group_get(sl_group *g, const char *path, unsigned flags);

/* sl_fetch of a GET of URL with a deadline (0 = none). */
sl_task *harness_fetch(sl_ctx *ctx, const char *url, long timeout_ms);

/* Checks, from the fixture's journal, that the n requests whose paths
   start with prefix arrived in priority order: each path ends in
   "p=P&i=I" (priority, order created), and (P, I) only grows. */
void harness_assert_priority_order(const struct fixture *fx,
                                   const char *prefix, long n);

/* n GETs of /hang on the group's first fixture into t[0..n), the loop
   run until the fixture holds every one of them (fails the test when it
   never does). */
void harness_hang(sl_ctx *ctx, sl_task **t, int n);

/* Waits, without running any loop, until the group's first fixture
   holds no request (every socket closed); fails the test after 2 s. */
void harness_assert_none_in_flight(void);

/* A done callback that frees the task, for tasks nobody waits on. */
void harness_free_task(sl_task *t, void *ud);

/* False when assertions about time cannot hold because the program runs
   many times slower than built: under valgrind, whose script sets
   SLUICE_TEST_VALGRIND.  Such a test still runs and checks everything
   else (what happened, in what order, what it cost in memory). */
bool harness_timed(void);

#endif
