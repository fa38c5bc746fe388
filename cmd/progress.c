/*
 * progress.c - the progress line.  See progress.h.
 *
 * Drawn from a timer on the loop every PROGRESS_TICK_MS, never from the
 * per-URL path, so its cost does not grow with the rate of the run (a
 * progress bar redrawn per transfer once cost wget2 a whole core): each
 * tick is one walk over the live tasks (sl_ctx_foreach_task: their
 * requests and bytes so far, and the oldest, which comes first), a
 * formatted line and one write(2).  The line is "\r", the text, then
 * "erase to the end of the line", cut to the terminal's width so that it
 * never wraps; URLs are escaped (base/term.h, ASCII only), so every byte is
 * one column and nothing in them can drive the terminal.  Rates are over the
 * last PROGRESS_WINDOW ticks (5 s), from a ring of samples.
 */
#include "progress.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/term.h"

#define NS_PER_S 1000000000.0

void progress_init(struct progress *pg, sl_ctx *ctx, const struct pump *p,
                   const struct summary *sum, int fd, uint64_t total)
{
  memset(pg, 0, sizeof(*pg));
  pg->ctx = ctx;
  pg->pump = p;
  pg->sum = sum;
  pg->fd = fd;
  pg->total = total;
}

/* URL lines of one regular file, read from a descriptor of its own from
   where fd stands; -1 when it cannot be counted. */
static int64_t count_file(int fd)
{
  char path[64];
  struct input *in;
  struct input_line line;
  off_t at = lseek(fd, 0, SEEK_CUR);
  int64_t n = 0;
  int rc, fd2;

  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  fd2 = at < 0 ? -1 : open(path, O_RDONLY | O_CLOEXEC);
  if(fd2 < 0 || lseek(fd2, at, SEEK_SET) != at ||
     !(in = input_new(fd2, true))) {
    if(fd2 >= 0) {
      close(fd2);
    }
    return -1;
  }
  while((rc = input_next(in, &line)) > 0) {
    n++;
  }
  input_close(in);
  return rc < 0 ? -1 : n;
}

uint64_t progress_count(struct input *const *ins, int nins, int nurls)
{
  uint64_t total = (uint64_t)nurls;
  struct stat st;

  for(int i = 0; i < nins; i++) {
    int fd = input_fd(ins[i]);
    int64_t n;

    if(fstat(fd, &st) || !S_ISREG(st.st_mode) || (n = count_file(fd)) < 0) {
      return 0;
    }
    total += (uint64_t)n;
  }
  return total;
}

/* What the live tasks add: requests sent and bytes so far, the oldest. */
struct live {
  const struct pump *pump;
  uint64_t requests, bytes;
  bool have_oldest;
  struct pump_task_info oldest;
};

static bool visit(sl_task *t, void *ud)
{
  struct live *l = ud;

  l->requests += sl_task_attempts(t);
  l->bytes += sl_task_bytes(t);
  if(!l->have_oldest) {
    l->have_oldest = pump_task_info(l->pump, t, &l->oldest);
  }
  return true;
}

/* Takes this tick's sample into the ring; returns the one to measure the
   rates from (the oldest kept), or NULL when there is none yet. */
static const struct progress_sample *sample(struct progress *pg,
                                            const struct live *l, int64_t now)
{
  struct progress_sample *s;

  pg->head = (pg->head + 1) % (PROGRESS_WINDOW + 1);
  s = &pg->ring[pg->head];
  s->t = now;
  s->done = pg->sum->urls;
  s->requests = pg->sum->requests + l->requests;
  s->bytes = pg->sum->bytes + l->bytes;
  if(pg->n < PROGRESS_WINDOW + 1) {
    pg->n++;
  }
  if(pg->n < 2) {
    return NULL;
  }
  return &pg->ring[(pg->head + PROGRESS_WINDOW + 2 - pg->n) %
                   (PROGRESS_WINDOW + 1)];
}

/* ", ETA 1:23" (or h:mm:ss) when the total is known and URLs finish. */
static void put_eta(struct progress *pg, double done_per_s, uint64_t done)
{
  uint64_t left, s;

  if(!pg->total || done_per_s <= 0 || done > pg->total) {
    return;
  }
  left = pg->total - done;
  s = (uint64_t)((double)left / done_per_s + 0.5);
  if(s >= 3600) {
    sl_buf_printf(&pg->line, ", ETA %" PRIu64 ":%02u:%02u", s / 3600,
                  (unsigned)(s / 60 % 60), (unsigned)(s % 60));
  } else {
    sl_buf_printf(&pg->line, ", ETA %u:%02u", (unsigned)(s / 60),
                  (unsigned)(s % 60));
  }
}

/* The counts, then the rates from `from` to `to` and the ETA. */
static void put_figures(struct progress *pg,
                        const struct progress_sample *from,
                        const struct progress_sample *to)
{
  const struct summary *s = pg->sum;
  struct sl_stats st;
  char bytes[SUMMARY_BYTES_LEN];
  uint64_t done = s->urls + s->skipped;
  double dt = from ? (double)(to->t - from->t) / NS_PER_S : 0;

  sl_ctx_stats(pg->ctx, &st);
  if(pg->total) {
    sl_buf_printf(&pg->line, "%" PRIu64 "/%" PRIu64 " URLs", done, pg->total);
  } else {
    sl_buf_printf(&pg->line, "%" PRIu64 " URLs", done);
  }
  sl_buf_printf(&pg->line,
                ": %" PRIu64 " ok, %" PRIu64 " not ok, %" PRIu64 " in flight",
                s->ok, s->urls - s->ok, st.running);
  if(dt <= 0) {
    return;
  }
  summary_bytes(bytes, (uint64_t)((double)(to->bytes - from->bytes) / dt));
  sl_buf_printf(&pg->line, ", %.0f req/s, %s/s",
                (double)(to->requests - from->requests) / dt, bytes);
  put_eta(pg, (double)(to->done - from->done) / dt, done);
}

/* The terminal's width, or 0 when fd is not a terminal (not cut then). */
static size_t width_of(int fd)
{
  struct winsize ws;

  return ioctl(fd, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
}

/* ", oldest 2.1 s URL" */
static void put_oldest(struct progress *pg, const struct live *l, int64_t now)
{
  if(!l->have_oldest) {
    return;
  }
  sl_buf_printf(&pg->line, ", oldest %.1f s ",
                (double)(now - l->oldest.born) / NS_PER_S);
  sl_term_escape_ascii(&pg->line, l->oldest.url, l->oldest.url_len);
}

static void draw(struct progress *pg)
{
  struct live l = {.pump = pg->pump};
  int64_t now = pump_now();
  const struct progress_sample *from;
  size_t width = width_of(pg->fd), head = 1; /* "\r" */

  sl_ctx_foreach_task(pg->ctx, visit, &l);
  from = sample(pg, &l, now);
  sl_buf_truncate(&pg->line, 0);
  if(sl_buf_puts(&pg->line, "\rsluice: ")) {
    return;
  }
  put_figures(pg, from, &pg->ring[pg->head]);
  put_oldest(pg, &l, now);
  if(width > 1 && pg->line.len - head > width - 1) {
    sl_buf_truncate(&pg->line, head + width - 1); /* never wraps */
  }
  if(sl_buf_puts(&pg->line, "\x1b[K")) { /* erase the rest */
    return;
  }
  if(write(pg->fd, pg->line.p, pg->line.len) < 0) {
    pg->broken = true; /* the terminal went away: nothing more */
  }
  pg->drawn = true;
}

static void on_tick(void *ud)
{
  struct progress *pg = ud;

  pg->timer = sl_call_later(pg->ctx, PROGRESS_TICK_MS, on_tick, pg);
  if(!pg->broken) {
    draw(pg);
  }
}

int progress_start(struct progress *pg)
{
  pg->timer = sl_call_later(pg->ctx, PROGRESS_TICK_MS, on_tick, pg);
  return pg->timer ? SL_OK : SL_ENOMEM;
}

void progress_clear(struct progress *pg)
{
  static const char erase[] = "\r\x1b[K";

  if(pg->drawn && !pg->broken && write(pg->fd, erase, sizeof(erase) - 1) < 0) {
    pg->broken = true;
  }
  pg->drawn = false;
}

void progress_stop(struct progress *pg)
{
  sl_timer_cancel(pg->timer);
  pg->timer = NULL;
  progress_clear(pg);
}

void progress_free(struct progress *pg)
{
  sl_timer_cancel(pg->timer);
  pg->timer = NULL;
  sl_buf_free(&pg->line);
}
