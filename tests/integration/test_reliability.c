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
 * - a DNS lookup past --dns-timeout with two servers: it fails at the
 *   limit, and the lookups c-ares still has going (it would try each
 *   server twice, 2 x the limit) do not keep the caller's loop running
 *   once no task is live.
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

static void test_dns_limit_frees_the_loop(void **state)
{
  struct sl_options o = {0};
  char servers[80];
  struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
  sl_ctx *ctx;
  sl_task *t;
  double t0;
  (void)state;
  snprintf(servers, sizeof(servers), "%s,%s", fx.dns_server, fx.dns_server);
  o.loop = loop;
  o.dns_servers = servers;
  o.dns_timeout_ms = 300;
  o.quiet = true;
  ctx = sl_ctx_new(&o);
  assert_non_null(ctx);
  t = harness_fetch(ctx, fixture_url_host(&fx, "gone.test", "/"), 0);
  t0 = ev_time();
  ev_run(loop, 0); /* the caller's loop: returns once nothing is live */
  assert_int_equal(sl_task_state(t), SL_FAILED);
  assert_true(ev_time() - t0 < 0.55); /* not the 1.2 s c-ares would take */
  sl_task_free(t);
  sl_ctx_free(ctx);
  ev_loop_destroy(loop);
}

int main(int argc, char **argv)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cancel_while_connecting),
      cmocka_unit_test(test_dns_limit_frees_the_loop),
  };
  static const char *const dns[] = {"--zone", ".test=127.0.0.1,5",
                                    "--dns-drop", "gone.test", NULL};
  static const struct harness h = {.fx = &fx, .dns_args = dns};
  return harness_main(argc, argv, tests, &h);
}
