/*
 * interrupt.h - SIGINT, SIGTERM and SIGHUP for the sluice command (a
 * closed terminal or a dropped ssh session ends a run as SIGTERM does,
 * every record kept).
 *
 * The first signal is handled on the loop (sl_on_signal): a callback
 * cancels what is running so every URL read gets its record and the
 * summary is still printed.  A plain handler in front of the loop's sets
 * a flag at once (so a blocking read of the input is interrupted and
 * reading stops) and exits at once, with status 128 + the signal number,
 * on a second signal.  When the loop stops running, the plain handler
 * takes over alone.
 */
#ifndef SLUICE_CMD_INTERRUPT_H
#define SLUICE_CMD_INTERRUPT_H

#include <signal.h>

#include <sluice.h>

struct interrupt {
  sl_ctx *ctx;
  void (*on_first)(int signum, void *ud);
  void *ud;
  sl_timer *leave;  /* the deferred interrupt_leave_loop() */
  int on_loop;      /* the loop's watchers are installed */
  int handled;      /* on_first has run */
  unsigned ignored; /* bit i: watched[i] was ignored at start, and is */
};

/* Watches SIGINT, SIGTERM and SIGHUP (those not ignored at start) on
   ctx's loop; on_first(signum, ud) runs on the loop for the first of
   them.  Returns SL_OK or an SL_E* code (then only the plain handler is
   installed). */
int interrupt_start(struct interrupt *it, sl_ctx *ctx,
                    void (*on_first)(int signum, void *ud), void *ud);

/* Hands the signals from the loop to the plain handler alone: call it
   when the loop will not run again, before the program blocks outside it
   (reading the rest of the input, the last flush) and before
   sl_ctx_free().  Safe to call again. */
void interrupt_leave_loop(struct interrupt *it);

/* What a run ended by signum says: "interrupted by SIGINT",
   "terminated by SIGTERM", "terminated by SIGHUP". */
const char *interrupt_message(int signum);

/* The first SIGINT, SIGTERM or SIGHUP received, or 0.  Set by the plain
   handler, so a read it interrupts can test it (see input_set_stop()). */
extern volatile sig_atomic_t interrupt_signum;

#endif
