/*
 * fixture_proc.h - test support: start sluice-fixture as a child process,
 * learn its port, and read its /_stats from the server's side with a plain
 * blocking socket (never through the code under test).
 */
#ifndef SL_TESTS_FIXTURE_PROC_H
#define SL_TESTS_FIXTURE_PROC_H

#include <stdbool.h>
#include <sys/types.h>

struct fixture {
  pid_t pid;
  int port;
  int dns_port;        /* with fixture_start_dns */
  char host[32];       /* "127.0.0.1:PORT": the Host header of fixture_url's
                          URLs, the key of fixture_stats and _arrivals */
  char dns_server[32]; /* "127.0.0.1:DNS_PORT", for sl_options.dns_servers;
                          "" without DNS */
};

/* Starts BIN --port 0 --lifetime LIFETIME_S.  0 or -1. */
int fixture_start(struct fixture *fx, const char *bin, int lifetime_s);

/* The same with --dns-port 0 and the extra arguments (NULL-terminated,
   e.g. "--zone", ".test=127.0.0.1,2"); reads the DNS port too. */
int fixture_start_dns(struct fixture *fx, const char *bin, int lifetime_s,
                      const char *const *extra);

/* Queries of TYPE ("A", "AAAA") for NAME the DNS responder answered
   since the last reset; -1 on error. */
long fixture_dns_queries(const struct fixture *fx, const char *name,
                         const char *type);

/* SIGTERM, then waits.  Returns the exit status, or -1. */
int fixture_stop(struct fixture *fx);

struct fixture_counters {
  long requests, in_flight, max_in_flight;
};

/* GET /_stats; fills the counters of HOST ("127.0.0.1:PORT"), or of the
   totals when host is NULL.  Counters of a host never seen are 0.
   0 or -1. */
int fixture_stats(const struct fixture *fx, const char *host,
                  struct fixture_counters *out);

/* GET /_stats?arrivals=1: the arrival times (seconds since the last
   reset) of HOST's requests, at most max of them.  Returns the count, or
   -1. */
long fixture_arrivals(const struct fixture *fx, const char *host, double *out,
                      long max);

/* GET /_requests?path=PREFIX: the paths (with their query) of the
   requests the fixture journaled, oldest first, at most max, each cut
   to FIXTURE_PATH_MAX - 1 bytes.  Returns the count, or -1. */
#define FIXTURE_PATH_MAX 256
long fixture_paths(const struct fixture *fx, const char *prefix,
                   char (*out)[FIXTURE_PATH_MAX], long max);

/* POST /_routes: STUB (one JSON object, as a route file's line) answers
   ahead of the others.  0 or -1. */
int fixture_add_route(const struct fixture *fx, const char *stub);

/* GET /_requests/reset: the journal is emptied.  0 or -1. */
int fixture_journal_reset(const struct fixture *fx);

/* GET /_stats/reset.  0 or -1. */
int fixture_reset(const struct fixture *fx);

/* Open connections the fixture reports (including the stats one). */
long fixture_open_connections(const struct fixture *fx);

/* "http://127.0.0.1:PORT" + path, in a static rotating buffer (the last
   eight stay valid). */
const char *fixture_url(const struct fixture *fx, const char *path);

/* The same with NAME for 127.0.0.1: "http://NAME:PORT" + path. */
const char *fixture_url_host(const struct fixture *fx, const char *name,
                             const char *path);

#endif
