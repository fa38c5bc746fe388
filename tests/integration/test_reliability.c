/*
 * test_reliability.c - the library where libcurl or the system does the
 * unexpected (issue 16, from the allocation-failure torture runs):
 *
 * - a transfer cancelled while its TCP connect is still in progress:
 *   libcurl 7.88 closes that socket with a plain close() instead of the
 *   CURLOPT_CLOSESOCKETFUNCTION, and says CURL_POLL_REMOVE only after;
 *   the loop's watcher for it must go too, or libev aborts ("I/O watcher
 *   with invalid fd found in epoll_ctl") as soon as it touches the fd.
 *   ev_loop_fork() makes libev register every watched fd again, so a
 *   watcher left on a closed fd aborts here at once.
 *
 * argv[1] is the sluice-fixture binary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sluice.h"
#include "support/harness.h"

static struct fixture fx; /* started by harness_setup */

/* A listener that never accepts, its queue filled: a connect to it stays
   in progress (the kernel drops the SYNs).  Returns its port; the fds to
   close are in fds[0..*n). */
static int blackhole(int *fds, int *n)
{
  struct sockaddr_in a = {0};
  socklen_t len = sizeof(a);
  int l = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(l >= 0);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(listen(l, 0), 0);
  assert_int_equal(getsockname(l, (struct sockaddr *)&a, &len), 0);
  fds[(*n)++] = l;
  /* fill the queue until a connect hangs */
  for(int i = 0; i < 8; i++) {
    struct pollfd p;
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    fds[(*n)++] = c;
    if(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0)
      continue;
    assert_int_equal(errno, EINPROGRESS);
    p.fd = c;
    p.events = POLLOUT;
    if(poll(&p, 1, 200) == 0)
      break; /* this one hangs: so will sluice's */
  }
  return ntohs(a.sin_port);
}

static void cancel_all(void *ud)
{
  sl_task **t = ud;
  for(int i = 0; i < 4; i++)
    sl_task_cancel(t[i], "while connecting");
}

static void test_cancel_while_connecting(void **state)
{
  int fds[16], nfds = 0, port = blackhole(fds, &nfds);
  char url[64];
  sl_ctx *ctx = harness_ctx(8);
  sl_task *t[4], *after[8];
  (void)state;
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
  for(int i = 0; i < 4; i++)
    t[i] = harness_fetch(ctx, url, 0);
  assert_non_null(sl_call_later(ctx, 100, cancel_all, t));
  sl_run(ctx);
  for(int i = 0; i < 4; i++) {
    assert_int_equal(sl_task_state(t[i]), SL_CANCELLED);
    sl_task_free(t[i]);
  }
  /* libev registers every watched fd again: none may be closed */
  ev_loop_fork(sl_ctx_loop(ctx));
  for(int i = 0; i < 8; i++)
    after[i] = harness_get(ctx, "/bytes/2", 0);
  sl_run(ctx);
  for(int i = 0; i < 8; i++) {
    assert_int_equal(sl_task_state(after[i]), SL_DONE);
    sl_task_free(after[i]);
  }
  sl_ctx_free(ctx);
  while(nfds--)
    close(fds[nfds]);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cancel_while_connecting),
  };
  static const struct harness h = {.fx = &fx};
  return harness_main(argc, argv, tests, &h);
}
