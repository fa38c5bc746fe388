/*
 * interrupt.c - what SIGINT and SIGTERM do to a run.
 *
 * libsluice's sl_on_signal() delivers a signal on the loop, where tasks
 * may be cancelled, but libev's handler restarts interrupted reads
 * (SA_RESTART) and only queues the signal for the loop: a signal that
 * comes while the pump is blocked reading a slow pipe, or after the loop
 * has stopped, would wait or be lost, and a second Ctrl-C could not end a
 * blocked write.  So a plain handler without SA_RESTART is put in front
 * of libev's: it records the signal (interrupting the read), passes it on
 * to libev's handler while the loop watches, and exits on the second one.
 *
 * Leaving the loop is deferred to a zero-delay timer when it starts from
 * the signal's own callback: sl_off_signal() frees the watcher whose
 * callback is running.  A signal ignored when sluice starts (SIGHUP under
 * nohup, SIGINT in a background job) is left ignored.
 */
#include "interrupt.h"

#include <string.h>
#include <unistd.h>

volatile sig_atomic_t interrupt_signum;

static const int watched[] = {SIGINT, SIGTERM, SIGHUP};
#define NWATCHED (sizeof(watched) / sizeof(watched[0]))

const char *interrupt_message(int signum)
{
  switch(signum) {
    case SIGINT:
      return "interrupted by SIGINT";
    case SIGTERM:
      return "terminated by SIGTERM";
    case SIGHUP:
      return "terminated by SIGHUP";
  }
  return "terminated by a signal";
}

/* libev's handler for each signal while the loop watches it, else NULL. */
static void (*volatile chained[NSIG])(int);

/* The plain handler: async-signal-safe only. */
static void on_plain_signal(int signum)
{
  void (*chain)(int) = chained[signum];

  if(interrupt_signum) {
    _exit(128 + signum);
  }
  interrupt_signum = signum;
  if(chain) {
    chain(signum); /* wakes the loop, which runs on_loop_signal() */
  }
}

/* Installs the plain handler for signum, with every signal blocked while
   it runs and without SA_RESTART. */
static void install_plain(int signum)
{
  struct sigaction sa;

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_plain_signal;
  sigfillset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(signum, &sa, NULL);
}

static void block_watched(sigset_t *old)
{
  sigset_t block;

  sigemptyset(&block);
  for(size_t i = 0; i < NWATCHED; i++) {
    sigaddset(&block, watched[i]);
  }
  sigprocmask(SIG_BLOCK, &block, old);
}

static void leave_later(void *ud)
{
  struct interrupt *it = ud;

  it->leave = NULL; /* fired: sluice frees it */
  interrupt_leave_loop(it);
}

static void on_loop_signal(int signum, void *ud)
{
  struct interrupt *it = ud;

  if(it->handled) {
    return;
  }
  it->handled = 1;
  if(!interrupt_signum) {
    interrupt_signum = signum; /* the plain handler was not in front */
  }
  if(!it->leave) {
    it->leave = sl_call_later(it->ctx, 0, leave_later, it);
  }
  it->on_first(signum, it->ud);
}

int interrupt_start(struct interrupt *it, sl_ctx *ctx,
                    void (*on_first)(int signum, void *ud), void *ud)
{
  int rc = SL_OK;
  sigset_t old;

  memset(it, 0, sizeof(*it));
  it->ctx = ctx;
  it->on_first = on_first;
  it->ud = ud;
  it->on_loop = 1;
  block_watched(&old);
  for(size_t i = 0; i < NWATCHED; i++) {
    int sig = watched[i];
    struct sigaction ev;

    if(sigaction(sig, NULL, &ev) == 0 && ev.sa_handler == SIG_IGN) {
      it->ignored |= 1u << i; /* nohup, a background job: stays so */
      continue;
    }
    rc = sl_on_signal(ctx, sig, on_loop_signal, it);
    if(rc != SL_OK) {
      break;
    }
    if(sigaction(sig, NULL, &ev) == 0 && !(ev.sa_flags & SA_SIGINFO) &&
       ev.sa_handler != SIG_DFL && ev.sa_handler != SIG_IGN &&
       ev.sa_handler != on_plain_signal) {
      chained[sig] = ev.sa_handler;
      install_plain(sig);
    }
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  if(rc != SL_OK) {
    interrupt_leave_loop(it);
  }
  return rc;
}

void interrupt_leave_loop(struct interrupt *it)
{
  sigset_t old;

  if(it->leave) {
    sl_timer_cancel(it->leave);
    it->leave = NULL;
  }
  if(!it->on_loop) {
    return;
  }
  it->on_loop = 0;
  /* held back during the switch: stopping libev's watcher restores
     SIG_DFL for a moment, which would kill the process */
  block_watched(&old);
  for(size_t i = 0; i < NWATCHED; i++) {
    if(it->ignored & (1u << i)) {
      continue;
    }
    chained[watched[i]] = NULL;
    sl_off_signal(it->ctx, watched[i]);
    install_plain(watched[i]);
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
}
