/*
 * loop.h - the event loop: libev watchers driving libcurl's multi_socket
 * API, in the pattern of curl's docs/examples/evhiperfifo.c.
 *
 * This module is the only code that includes <ev.h> or calls curl_multi_*.
 * It knows nothing of tasks: it adds and removes easy handles, reports each
 * finished transfer through the done hook (drained in one place), and runs
 * the tick hook once per loop iteration after sl_loop_wake(), so deferred
 * work (admission, done callbacks) always runs with no curl call on the
 * stack.
 */
#ifndef SL_LOOP_LOOP_H
#define SL_LOOP_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <curl/curl.h>

struct ev_loop;
struct sl_loop;

struct sl_loop_hooks {
  /* A transfer finished; easy was already removed from the multi. */
  void (*done)(void *ud, CURL *easy, CURLcode rc);
  /* Deferred work; runs in the check phase of an iteration after
     sl_loop_wake().  Call sl_loop_wake() again from it to run once more. */
  void (*tick)(void *ud);
  /* The alarm set with sl_loop_set_alarm() went off. */
  void (*alarm)(void *ud);
  /* A socket was opened (+1) or closed (-1) for a handle whose
     sl_loop_easy had this owner (not NULL) when curl opened it. */
  void (*conn)(void *ud, void *owner, int delta);
  /* A handle given to sl_loop_remove_later() is out of the multi handle
     now: its owner may reuse or free it. */
  void (*removed)(void *ud, CURL *easy);
};

/* evl NULL: EV_DEFAULT.  NULL on failure. */
struct sl_loop *sl_loop_new(struct ev_loop *evl,
                            const struct sl_loop_hooks *hooks, void *ud);

/* Every easy handle must have been removed first.  NULL is a no-op. */
void sl_loop_free(struct sl_loop *l);

struct ev_loop *sl_loop_ev(const struct sl_loop *l);

/* The current time on the loop's clock, in nanoseconds (the one unit of
   every time inside sluice; limits/ns.h).  Inside the loop's own
   callbacks this is the cached ev_now() (no system call); from outside
   (the caller's code between iterations, where the cache may be long
   stale) the cache is refreshed first. */
int64_t sl_loop_now(struct sl_loop *l);

/* What the loop keeps per easy handle: why its last socket could not be
   made (curl says only "Couldn't connect to server", also when out of
   file descriptors).  The caller owns it, for as long as the handle. */
struct sl_loop_easy {
  struct sl_loop *loop;
  int socket_errno; /* errno of socket() failing; 0 when it did not */
  void *owner;      /* what a socket opened now is counted for (the conn
                       hook); NULL: nothing */
};

/* Readies a new easy handle for this loop, once, before its first
   sl_loop_add: sets its CURLOPT_OPENSOCKETFUNCTION and
   CURLOPT_CLOSESOCKETFUNCTION (and their data), which the loop needs to
   know when an fd is gone; callers must not set those.  le is the
   handle's own (see above). */
void sl_loop_prepare(struct sl_loop *l, CURL *easy, struct sl_loop_easy *le);

/* Starts a transfer on a handle readied by sl_loop_prepare: 0, or a
   CURLMcode. */
int sl_loop_add(struct sl_loop *l, CURL *easy);

/* Stops a transfer at once; its connection is closed if it was busy. */
void sl_loop_remove(struct sl_loop *l, CURL *easy);
/* Stops a transfer whose owner has let go of it (a cancel), then calls
   the removed hook.  Called from outside the loop's callbacks, at once.
   From inside one (sl_loop_depth() > 0), curl lets go of it later but
   before it next does anything: before any socket or timer of curl's is
   served, before sl_loop_add, at the latest after the tick of this or
   the next iteration, or in sl_loop_flush.  Closing a busy connection is
   most of what a cancel costs (the kernel's close() of a loopback TCP
   socket alone is about 5 us), so cancelling many transfers from a
   callback (a group's siblings) returns at once and the closes follow in
   one pass, the way asyncio's transport.close() defers the socket's
   close to the loop.  Until then the transfer makes no callback. */
void sl_loop_remove_later(struct sl_loop *l, CURL *easy);
/* Does every removal sl_loop_remove_later() left now. */
void sl_loop_flush(struct sl_loop *l);

/* Asks for one tick on this or the next iteration; the loop will not
   block in poll until it has run. */
void sl_loop_wake(struct sl_loop *l);

/* One iteration of the loop (ev_run EV_RUN_ONCE).  It blocks only when
   some watcher is active. */
void sl_loop_run_once(struct sl_loop *l);

/* One alarm for the fetcher's own timer heap: fires the alarm hook at
   loop time `at` (ns, as sl_loop_now()); at < 0 stops it.  Like every
   watcher here it does not keep the loop alive (weak.h). */
void sl_loop_set_alarm(struct sl_loop *l, int64_t at);

/* How far ahead of the loop's clock a timer may be counted due when the
   alarm goes off (ns): the alarm's precision.  A few microseconds when it
   is a timerfd; half a millisecond on libev's timers, which follow a
   clock of their own and epoll's whole milliseconds. */
int64_t sl_loop_alarm_slack(const struct sl_loop *l);

/* Whether the loop is kept alive (ev_run goes on) for the fetcher: it
   holds while it has work (a live task, a caller's timer).  None of the
   loop's other watchers keeps it alive, but a tick that is due. */
void sl_loop_hold(struct sl_loop *l, bool hold);

/* Runs cb(signum, ud) on the loop each time signum arrives.  A signal can
   be watched by one loop of the process at a time: -1 (EBUSY) when
   another loop has it, -1 (EINVAL) for a bad number, -1 (ENOMEM).  The
   watcher does not keep the loop alive. */
int sl_loop_signal_start(struct sl_loop *l, int signum,
                         void (*cb)(int signum, void *ud), void *ud);
void sl_loop_signal_stop(struct sl_loop *l, int signum);

/* Runs cb(fd, ud) on the loop each time fd is readable (level-triggered:
   again on the next iteration while unread bytes are left), for a file
   descriptor epoll can watch (a pipe, a socket, a terminal; libev
   reports a regular file as always readable).  The watcher does not keep
   the loop alive until sl_loop_reader_hold(r, true).  cb may free its
   own reader.  NULL when out of memory. */
struct sl_loop_reader;
struct sl_loop_reader *sl_loop_reader_new(struct sl_loop *l, int fd,
                                          void (*cb)(int fd, void *ud),
                                          void *ud);
/* Gives the reader another callback (asyncio's add_reader on a watched
   fd replaces the callback). */
void sl_loop_reader_set(struct sl_loop_reader *r, void (*cb)(int fd, void *ud),
                        void *ud);
/* Whether the reader keeps the loop alive (ev_run goes on while it
   watches). */
void sl_loop_reader_hold(struct sl_loop_reader *r, bool hold);
/* Stops watching and frees the reader; NULL is a no-op. */
void sl_loop_reader_free(struct sl_loop_reader *r);

/* > 0 while one of the loop's watcher callbacks is running. */
unsigned sl_loop_depth(const struct sl_loop *l);

/* Size of curl's connection cache. */
void sl_loop_set_max_connects(struct sl_loop *l, long n);

#endif
