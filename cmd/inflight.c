/*
 * inflight.c - the SIGUSR1 dump: every URL in flight, as the library
 * lists its live tasks (sl_ctx_foreach_task, oldest first), with what
 * the pump knows of each (its index, when it was read) and what the
 * library tells of it (its state, the body bytes of its transfer so far:
 * sl_task_bytes).  Built in memory and written with one writev(2), so
 * it is not interleaved with the progress line; the caller erases that
 * first.
 */
#include "inflight.h"

#include <inttypes.h>
#include <sys/uio.h>

#include "base/buf.h"
#include "base/term.h"

struct dump {
  const struct pump *pump;
  struct sl_buf b;
  int64_t now;
  size_t n;
  int err;
};

static bool dump_one(sl_task *t, void *ud)
{
  struct dump *d = ud;
  struct pump_task_info info;

  if(!pump_task_info(d->pump, t, &info)) {
    return true;
  }
  d->n++;
  if(sl_buf_printf(&d->b,
                   "sluice:   #%" PRIu64 " %s %.1f s %" PRIu64 " bytes ",
                   info.index, sl_state_name(sl_task_state(t)),
                   (double)(d->now - info.born) / 1e9, sl_task_bytes(t)) ||
     sl_term_escape(&d->b, info.url, info.url_len) ||
     sl_buf_append(&d->b, "\n", 1)) {
    d->err = -1;
    return false;
  }
  return true;
}

int inflight_dump(sl_ctx *ctx, const struct pump *p, int fd)
{
  struct dump d = {.pump = p, .now = pump_now()};
  struct sl_buf head = {0};
  int rc;

  sl_ctx_foreach_task(ctx, dump_one, &d);
  rc = d.err
           ? d.err
           : sl_buf_printf(&head, "sluice: %zu URL%s in flight (SIGUSR1)%s\n",
                           d.n, d.n == 1 ? "" : "s", d.n ? ":" : "");
  if(!rc) {
    struct iovec iov[2] = {{head.p, head.len}, {d.b.p, d.b.len}};
    rc = writev(fd, iov, d.b.len ? 2 : 1) < 0 ? -1 : 0;
  }
  sl_buf_free(&head);
  sl_buf_free(&d.b);
  return rc;
}
