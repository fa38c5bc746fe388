/*
 * test_task.c - the task state machine and the done-callback contract,
 * with no HTTP server: invalid URLs fail on the loop, a closed port fails
 * with connect, and a listening socket that never answers holds transfers
 * RUNNING so cancellation and the concurrency cap can be seen (the cap
 * from the server's side: the connections the listener accepted).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ev.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sluice.h"

/* ---- helpers ---------------------------------------------------------- */

/* These tests leave most errors unread on purpose: no warnings. */
static sl_ctx *quiet_ctx(void)
{
  struct sl_options o = {0};
  o.quiet = true;
  return sl_ctx_new(&o);
}

/* A TCP listener that accepts into its backlog and never answers. */
struct silent {
  int fd, port;
  char url[64];
};

static void silent_open(struct silent *s)
{
  struct sockaddr_in sa;
  socklen_t len = sizeof(sa);
  s->fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(s->fd >= 0);
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
  assert_int_equal(listen(s->fd, 128), 0);
  assert_int_equal(getsockname(s->fd, (struct sockaddr *)&sa, &len), 0);
  s->port = ntohs(sa.sin_port);
  snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d/", s->port);
}

/* Accepts what is waiting; returns how many connections that was. */
static int silent_accept_all(struct silent *s, int *fds, int max)
{
  int n = 0;
  struct timeval tv = {0, 200000};
  setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  while(n < max) {
    int c = accept(s->fd, NULL, NULL);
    if(c < 0)
      break;
    fds[n++] = c;
  }
  return n;
}

struct log {
  int calls;
  char order[16];
  sl_task *seen[16];
  enum sl_state states[16];
};

static void cb_a(sl_task *t, void *ud)
{
  struct log *l = ud;
  l->seen[l->calls] = t;
  l->states[l->calls] = sl_task_state(t);
  l->order[l->calls++] = 'a';
}

static void cb_b(sl_task *t, void *ud)
{
  struct log *l = ud;
  l->seen[l->calls] = t;
  l->states[l->calls] = sl_task_state(t);
  l->order[l->calls++] = 'b';
}

static sl_task *fetch(sl_ctx *ctx, const char *url)
{
  struct sl_request req = {0};
  req.url = url;
  return sl_fetch(ctx, &req);
}

static void run_iterations(struct ev_loop *loop, int n)
{
  while(n--)
    ev_run(loop, EVRUN_NOWAIT);
}

/* ---- tests ------------------------------------------------------------ */

static void test_pending_at_creation(void **state)
{
  sl_ctx *ctx = quiet_ctx();
  const struct sl_response *r = (void *)1;
  const struct sl_error *e = (void *)1;
  sl_task *t;
  (void)state;
  assert_non_null(ctx);
  t = fetch(ctx, "http://127.0.0.1:1/");
  assert_non_null(t);
  assert_int_equal(sl_task_state(t), SL_PENDING);
  assert_false(sl_task_is_final(t));
  /* asyncio's InvalidStateError, not a crash */
  assert_int_equal(sl_task_response(t, &r), SL_ESTATE);
  assert_null(r);
  assert_int_equal(sl_task_error(t, &e), SL_ESTATE);
  assert_null(e);
  assert_string_equal(sl_state_name(sl_task_state(t)), "pending");
  assert_int_equal(sl_task_wait(t), SL_OK);
  assert_int_equal(sl_task_state(t), SL_FAILED);
  assert_int_equal(sl_task_error(t, &e), SL_OK);
  assert_int_equal(e->kind, SL_ERR_CONNECT);
  assert_int_equal(sl_task_response(t, &r), SL_ENOENT);
  sl_task_free(t);
  sl_ctx_free(ctx);
}

static void test_invalid_urls(void **state)
{
  static const char *bad[] = {
      "notaurl", "ftp://example.com/",   "file:///etc/passwd", "http://",
      "",        "http://exa mple.com/", "http:///path"};
  sl_ctx *ctx = quiet_ctx();
  sl_task *t[7];
  struct log l = {0};
  size_t i;
  (void)state;
  for(i = 0; i < 7; i++) {
    t[i] = fetch(ctx, bad[i]);
    assert_non_null(t[i]);
    assert_int_equal(sl_task_on_done(t[i], cb_a, &l), SL_OK);
  }
  /* nothing runs from inside sl_fetch or sl_task_on_done */
  assert_int_equal(l.calls, 0);
  assert_int_equal(sl_task_state(t[0]), SL_PENDING);
  assert_int_equal(sl_run(ctx), SL_OK);
  assert_int_equal(l.calls, 7);
  for(i = 0; i < 7; i++) {
    const struct sl_error *e;
    assert_int_equal(sl_task_state(t[i]), SL_FAILED);
    assert_int_equal(sl_task_error(t[i], &e), SL_OK);
    assert_int_equal(e->kind, SL_ERR_INVALID_URL);
    assert_true(strlen(e->message) > 0);
    assert_string_equal(sl_error_kind_name(e->kind), "invalid_url");
    assert_ptr_equal(l.seen[i], t[i]); /* in creation order */
    assert_int_equal(l.states[i], SL_FAILED);
    sl_task_free(t[i]);
  }
  sl_ctx_free(ctx);
}

static void test_callback_order_once_and_off(void **state)
{
  sl_ctx *ctx = quiet_ctx();
  struct log l1 = {0}, l2 = {0};
  sl_task *t1 = fetch(ctx, "notaurl"), *t2 = fetch(ctx, "notaurl");
  (void)state;
  assert_int_equal(sl_task_on_done(t1, cb_a, &l1), SL_OK);
  assert_int_equal(sl_task_on_done(t1, cb_b, &l1), SL_OK);
  assert_int_equal(sl_task_on_done(t1, cb_a, &l1), SL_OK);
  assert_int_equal(sl_task_on_done(t1, cb_b, &l1), SL_OK);
  assert_int_equal(sl_task_on_done(t1, cb_a, &l1), SL_OK); /* > inline */
  assert_int_equal(sl_task_on_done(t2, cb_a, &l2), SL_OK);
  assert_int_equal(sl_task_on_done(t2, cb_b, &l2), SL_OK);
  assert_int_equal(sl_task_on_done(t2, cb_a, &l2), SL_OK);
  assert_int_equal(sl_task_off_done(t2, cb_a, &l2), 2);
  assert_int_equal(sl_task_off_done(t2, cb_a, &l2), 0);
  assert_int_equal(sl_task_off_done(t2, cb_b, &l1), 0); /* other ud */
  assert_int_equal(sl_task_on_done(t1, NULL, NULL), SL_EINVAL);
  sl_run(ctx);
  sl_run(ctx); /* a second run runs nothing again */
  assert_int_equal(l1.calls, 5);
  assert_memory_equal(l1.order, "ababa", 5);
  assert_int_equal(l2.calls, 1);
  assert_int_equal(l2.order[0], 'b');
  sl_task_free(t1);
  sl_task_free(t2);
  sl_ctx_free(ctx);
}

static void test_on_done_after_final(void **state)
{
  sl_ctx *ctx = quiet_ctx();
  struct log l = {0};
  sl_task *t = fetch(ctx, "notaurl");
  (void)state;
  sl_task_wait(t);
  assert_true(sl_task_is_final(t));
  assert_int_equal(sl_task_on_done(t, cb_a, &l), SL_OK);
  assert_int_equal(l.calls, 0); /* not from inside on_done */
  sl_run(ctx);
  assert_int_equal(l.calls, 1);
  assert_int_equal(l.states[0], SL_FAILED);
  sl_task_free(t);
  sl_ctx_free(ctx);
}

static void free_self(sl_task *t, void *ud)
{
  (*(int *)ud)++;
  sl_task_free(t);
  sl_task_free(t); /* a second free of the same reference is a no-op */
}

static void count(sl_task *t, void *ud)
{
  (void)t;
  (*(int *)ud)++;
}

static void test_free_in_own_callback(void **state)
{
  sl_ctx *ctx = quiet_ctx();
  int n = 0, after = 0;
  int i;
  (void)state;
  for(i = 0; i < 100; i++) {
    sl_task *t = fetch(ctx, i % 2 ? "notaurl" : "http://127.0.0.1:1/");
    sl_task_on_done(t, free_self, &n);
    sl_task_on_done(t, count, &after); /* still runs after the free */
  }
  sl_run(ctx);
  assert_int_equal(n, 100);
  assert_int_equal(after, 100);
  sl_ctx_free(ctx); /* ASan: no leak, no use after free */
}

static void test_detached_task_still_runs(void **state)
{
  sl_ctx *ctx = quiet_ctx();
  struct log l = {0};
  sl_task *t = fetch(ctx, "http://127.0.0.1:1/");
  struct sl_stats st;
  (void)state;
  sl_task_on_done(t, cb_a, &l);
  sl_task_free(t); /* dropped before it ran */
  sl_run(ctx);
  assert_int_equal(l.calls, 1);
  assert_int_equal(l.states[0], SL_FAILED);
  sl_ctx_stats(ctx, &st);
  assert_int_equal(st.failed, 1);
  assert_int_equal(st.pending + st.running, 0);
  sl_ctx_free(ctx);
}

struct spawner {
  sl_ctx *ctx;
  int spawned, finished;
};

static void spawn_more(sl_task *t, void *ud);

static void count_finish(sl_task *t, void *ud)
{
  struct spawner *s = ud;
  s->finished++;
  sl_task_free(t);
}

static void spawn_more(sl_task *t, void *ud)
{
  struct spawner *s = ud;
  s->finished++;
  if(s->spawned < 50) {
    sl_task *n = fetch(s->ctx, s->spawned % 2 ? "notaurl" : "http://[::1]:1/");
    s->spawned++;
    assert_non_null(n);
    sl_task_on_done(n, s->spawned < 50 ? spawn_more : count_finish, s);
  }
  sl_task_free(t);
}

static void test_callback_creates_tasks(void **state)
{
  struct spawner s = {0};
  sl_task *t;
  (void)state;
  s.ctx = quiet_ctx();
  t = fetch(s.ctx, "notaurl");
  sl_task_on_done(t, spawn_more, &s);
  assert_int_equal(sl_run(s.ctx), SL_OK);
  assert_int_equal(s.spawned, 50);
  assert_int_equal(s.finished, 51);
  sl_ctx_free(s.ctx);
}

struct canceller {
  sl_task *victims[3];
  bool results[3];
  int wait_rc, run_rc;
};

static void cancel_siblings(sl_task *t, void *ud)
{
  struct canceller *c = ud;
  int i;
  for(i = 0; i < 3; i++)
    c->results[i] = sl_task_cancel(c->victims[i], "sibling failed");
  /* no nested loop from inside a callback */
  c->wait_rc = sl_task_wait(c->victims[0]);
  c->run_rc = sl_run(sl_task_ctx(t));
}

static void test_callback_cancels_siblings(void **state)
{
  struct silent srv;
  struct sl_options o = {.quiet = true};
  struct canceller c = {0};
  struct log l = {0};
  sl_ctx *ctx;
  sl_task *bad;
  int i;
  (void)state;
  silent_open(&srv);
  o.max_concurrency = 2; /* two RUNNING, one PENDING */
  ctx = sl_ctx_new(&o);
  for(i = 0; i < 3; i++) {
    c.victims[i] = fetch(ctx, srv.url);
    sl_task_on_done(c.victims[i], cb_a, &l);
  }
  /* let the two transfers reach the listener before the failure */
  run_iterations(sl_ctx_loop(ctx), 5);
  assert_int_equal(sl_task_state(c.victims[0]), SL_RUNNING);
  assert_int_equal(sl_task_state(c.victims[2]), SL_PENDING);
  bad = fetch(ctx, "notaurl");
  sl_task_on_done(bad, cancel_siblings, &c);
  assert_int_equal(sl_run(ctx), SL_OK);
  assert_int_equal(c.wait_rc, SL_EBUSY);
  assert_int_equal(c.run_rc, SL_EBUSY);
  assert_int_equal(l.calls, 3);
  for(i = 0; i < 3; i++) {
    const struct sl_error *e;
    assert_true(c.results[i]);
    assert_int_equal(sl_task_state(c.victims[i]), SL_CANCELLED);
    assert_int_equal(sl_task_error(c.victims[i], &e), SL_OK);
    assert_int_equal(e->kind, SL_ERR_CANCELLED);
    assert_string_equal(e->message, "sibling failed");
    /* cancelling a final task is a no-op */
    assert_false(sl_task_cancel(c.victims[i], "again"));
    sl_task_free(c.victims[i]);
  }
  sl_task_free(bad);
  sl_ctx_free(ctx);
  close(srv.fd);
}

static void test_cap_seen_by_server(void **state)
{
  struct silent srv;
  struct sl_options o = {.quiet = true};
  struct sl_stats st;
  sl_ctx *ctx;
  sl_task *t[6];
  int fds[16], n, i;
  (void)state;
  silent_open(&srv);
  o.max_concurrency = 2;
  ctx = sl_ctx_new(&o);
  for(i = 0; i < 6; i++)
    t[i] = fetch(ctx, srv.url);
  run_iterations(sl_ctx_loop(ctx), 10);
  n = silent_accept_all(&srv, fds, 16);
  assert_int_equal(n, 2); /* the server saw exactly the cap */
  sl_ctx_stats(ctx, &st);
  assert_int_equal(st.running, 2);
  assert_int_equal(st.pending, 4);
  /* cancelling a running one admits the oldest pending one */
  assert_true(sl_task_cancel(t[0], NULL));
  assert_int_equal(sl_task_state(t[2]), SL_RUNNING);
  assert_int_equal(sl_task_state(t[3]), SL_PENDING);
  run_iterations(sl_ctx_loop(ctx), 10);
  n += silent_accept_all(&srv, fds + n, 16 - n);
  assert_int_equal(n, 3);
  {
    const struct sl_error *e;
    sl_task_error(t[0], &e);
    assert_string_equal(e->message, "cancelled");
  }
  for(i = 0; i < 6; i++)
    sl_task_free(t[i]);
  sl_ctx_free(ctx); /* cancels the live ones */
  for(i = 0; i < n; i++)
    close(fds[i]);
  close(srv.fd);
}

static void test_ctx_free_cancels_live(void **state)
{
  struct silent srv;
  struct log l = {0};
  sl_ctx *ctx = quiet_ctx();
  int i;
  (void)state;
  silent_open(&srv);
  for(i = 0; i < 4; i++) {
    sl_task *t = fetch(ctx, srv.url);
    sl_task_on_done(t, cb_a, &l);
    if(i % 2)
      sl_task_free(t); /* detached ones too */
  }
  run_iterations(sl_ctx_loop(ctx), 5);
  assert_int_equal(l.calls, 0);
  sl_ctx_free(ctx);
  assert_int_equal(l.calls, 4);
  for(i = 0; i < 4; i++)
    assert_int_equal(l.states[i], SL_CANCELLED);
  close(srv.fd);
}

static void test_borrowed_loop(void **state)
{
  struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
  struct sl_options o = {.quiet = true};
  struct log l = {0};
  sl_ctx *ctx;
  sl_task *t;
  (void)state;
  o.loop = loop;
  ctx = sl_ctx_new(&o);
  assert_ptr_equal(sl_ctx_loop(ctx), loop);
  t = fetch(ctx, "http://127.0.0.1:1/");
  sl_task_on_done(t, cb_a, &l);
  assert_int_equal(sl_run(ctx), SL_EBUSY);
  assert_int_equal(sl_task_wait(t), SL_EBUSY);
  ev_run(loop, 0); /* the caller's loop; returns when sluice is idle */
  assert_int_equal(l.calls, 1);
  assert_int_equal(sl_task_state(t), SL_FAILED);
  sl_task_free(t);
  sl_ctx_free(ctx);
  ev_loop_destroy(loop);
}

/* A deadline counts from sl_fetch(), even when the loop's cached clock is
   stale because the caller spent time outside the loop. */
static void test_deadline_from_fetch_time(void **state)
{
  struct silent srv;
  struct sl_request req = {0};
  const struct sl_error *e;
  sl_ctx *ctx = quiet_ctx();
  sl_task *warm = fetch(ctx, "notaurl"), *t;
  double t0, took;
  (void)state;
  silent_open(&srv);
  sl_task_wait(warm); /* the loop has run: its clock is now cached */
  usleep(400 * 1000);
  t0 = ev_time();
  req.url = srv.url;
  req.timeout_ms = 300;
  t = sl_fetch(ctx, &req);
  sl_task_wait(t);
  took = ev_time() - t0;
  assert_int_equal(sl_task_state(t), SL_FAILED);
  sl_task_error(t, &e);
  assert_int_equal(e->kind, SL_ERR_TIMEOUT);
  assert_true(took >= 0.29);
  assert_true(took < 2.0);
  sl_task_free(warm);
  sl_task_free(t);
  sl_ctx_free(ctx);
  close(srv.fd);
}

static void test_names_and_nulls(void **state)
{
  sl_ctx *ctx = quiet_ctx();
  struct sl_request req = {0};
  sl_task *a = fetch(ctx, "notaurl"), *b = fetch(ctx, "notaurl");
  int tag;
  (void)state;
  assert_string_equal(sl_task_name(a), "Task-1");
  assert_string_equal(sl_task_name(b), "Task-2");
  assert_int_equal(sl_task_set_name(b, "mirror-eu"), SL_OK);
  assert_string_equal(sl_task_name(b), "mirror-eu");
  assert_int_equal(sl_task_set_name(b, NULL), SL_EINVAL);
  assert_string_equal(sl_task_url(a), "notaurl");
  req.url = "notaurl";
  req.userdata = &tag;
  sl_task_free(b);
  b = sl_fetch(ctx, &req);
  assert_ptr_equal(sl_task_userdata(b), &tag);
  assert_null(sl_fetch(NULL, &req));
  assert_null(sl_fetch(ctx, NULL));
  assert_false(sl_task_cancel(NULL, NULL));
  sl_task_free(NULL);
  sl_ctx_free(NULL);
  assert_int_equal(sl_task_on_done(NULL, cb_a, NULL), SL_EINVAL);
  {
    /* NULL handles, the header's one rule: no-ops, SL_EINVAL, or the
       zero of the return type */
    struct sl_stats st = {.created = 7};
    sl_task *const *errs = (sl_task *const *)&tag;
    const struct sl_response *resp;
    assert_int_equal(sl_task_state(NULL), SL_PENDING);
    assert_false(sl_task_is_final(NULL));
    assert_null(sl_task_name(NULL));
    assert_null(sl_task_url(NULL));
    assert_null(sl_task_header(NULL, "x"));
    assert_null(sl_task_header(a, NULL));
    assert_null(sl_task_ctx(NULL));
    assert_int_equal(sl_task_attempts(NULL), 0);
    assert_int_equal(sl_task_off_done(NULL, cb_a, NULL), 0);
    assert_int_equal(sl_task_response(NULL, &resp), SL_EINVAL);
    assert_int_equal(sl_task_wait(NULL), SL_EINVAL);
    assert_int_equal(sl_run(NULL), SL_EINVAL);
    assert_null(sl_ctx_loop(NULL));
    assert_null(sl_current_task(NULL));
    assert_int_equal(sl_ctx_foreach_task(NULL, NULL, NULL), 0);
    sl_ctx_stats(NULL, &st);
    assert_int_equal(st.created, 7);
    assert_int_equal(sl_group_errors(NULL, &errs), 0);
    assert_null(errs);
    assert_false(sl_group_done(NULL));
    assert_false(sl_group_cancel(NULL, NULL));
    assert_int_equal(sl_group_wait(NULL), SL_EINVAL);
    sl_group_free(NULL);
    assert_null(sl_call_later(NULL, 1, NULL, NULL));
    sl_timer_cancel(NULL);
    sl_off_signal(NULL, 2);
    assert_int_equal(sl_as_completed_left(NULL), 0);
    sl_as_completed_free(NULL);
  }
  sl_run(ctx);
  sl_task_free(a);
  sl_task_free(b);
  sl_ctx_free(ctx);
}

/* The same rule for the crawler's calls. */
static void test_crawler_api_nulls(void **state)
{
  struct sl_host_stats hs;
  size_t pos = 0;
  (void)state;
  assert_null(sl_queue_new(NULL, NULL));
  assert_int_equal(sl_queue_put(NULL, NULL), SL_EINVAL);
  assert_int_equal(sl_queue_task_done(NULL), SL_EINVAL);
  assert_int_equal(sl_queue_join(NULL), SL_EINVAL);
  assert_int_equal(sl_queue_size(NULL), 0);
  assert_int_equal(sl_queue_unfinished(NULL), 0);
  sl_queue_free(NULL);
  assert_int_equal(sl_host_stats(NULL, "h:80", &hs), SL_EINVAL);
  assert_int_equal(sl_host_limits_set(NULL, "h:80", NULL), SL_EINVAL);
  assert_null(sl_task_host_key(NULL));
  assert_null(sl_task_header_next(NULL, NULL, &pos, NULL));
  assert_null(sl_gather_start(NULL, 1, 0, NULL, NULL));
  assert_null(sl_wait_start(NULL, 1, SL_ALL_COMPLETED, 0, NULL, NULL));
  sl_waiter_cancel(NULL);
  assert_int_equal(sl_group_set_policy(NULL, NULL), SL_EINVAL);
  assert_int_equal(sl_group_failures(NULL), 0);
  assert_false(sl_url_same_site(NULL, NULL));
  assert_int_equal(sl_url_resolve(NULL, NULL, NULL, 0), SL_EINVAL);
  assert_int_equal(sl_url_normalize(NULL, NULL, 0), SL_EINVAL);
}

/* A timer armed from a timer callback for a time already due runs on the
   next turn of the loop, with a fresh now, never again in the same pass:
   a rate wait that re-armed for "now" (a token 50 ns ahead is now itself
   as a double) once spun forever inside one pass. */
struct chain {
  sl_ctx *ctx;
  struct ev_loop *loop;
  int left;
  double last;
  int same_now;
};

static void chain_cb(void *ud)
{
  struct chain *c = ud;
  double now = ev_now(c->loop);
  if(now <= c->last)
    c->same_now++;
  c->last = now;
  if(--c->left > 0)
    assert_non_null(sl_call_later(c->ctx, 0, chain_cb, c));
  else
    ev_break(c->loop, EVBREAK_ALL);
}

static void test_timer_rearmed_due_waits_a_turn(void **state)
{
  struct sl_options o = {0};
  struct chain c = {0};
  (void)state;
  c.loop = ev_loop_new(EVFLAG_AUTO);
  o.loop = c.loop;
  c.ctx = sl_ctx_new(&o);
  assert_non_null(c.ctx);
  c.left = 200;
  assert_non_null(sl_call_later(c.ctx, 0, chain_cb, &c));
  alarm(20);
  ev_run(c.loop, 0);
  alarm(0);
  assert_int_equal(c.left, 0);
  assert_int_equal(c.same_now, 0);
  sl_ctx_free(c.ctx);
  ev_loop_destroy(c.loop);
}

/* SLUICE_TRACE=stages: every change of stage, one line each on stderr,
   from the one function that changes stages. */
static void test_trace_stages(void **state)
{
  char path[] = "/tmp/sluice-trace-XXXXXX", buf[2048];
  int fd = mkstemp(path), saved = dup(2);
  sl_ctx *ctx;
  sl_task *bad, *refused;
  struct sl_request r = {0};
  ssize_t n;
  (void)state;
  assert_true(fd >= 0 && saved >= 0);
  setenv("SLUICE_TRACE", "stages", 1);
  ctx = quiet_ctx();
  unsetenv("SLUICE_TRACE");
  assert_non_null(ctx);
  r.url = "notaurl";
  bad = sl_fetch(ctx, &r);
  r.url = "http://127.0.0.1:1/"; /* nothing listens: refused */
  refused = sl_fetch(ctx, &r);
  assert_int_equal(dup2(fd, 2), 2);
  assert_int_equal(sl_run(ctx), SL_OK);
  dup2(saved, 2);
  close(saved);
  n = pread(fd, buf, sizeof(buf) - 1, 0);
  close(fd);
  unlink(path);
  assert_true(n > 0);
  buf[n] = '\0';
  assert_non_null(strstr(buf, "sluice: Task-1 NEW -> FAILED (notaurl)\n"));
  assert_non_null(
      strstr(buf, "sluice: Task-2 NEW -> RUNNING (http://127.0.0.1:1/)\n"));
  assert_non_null(
      strstr(buf, "sluice: Task-2 RUNNING -> FAILED (http://127.0.0.1:1/)\n"));
  assert_int_equal(sl_task_state(refused), SL_FAILED);
  sl_task_free(bad);
  sl_task_free(refused);
  sl_ctx_free(ctx);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pending_at_creation),
      cmocka_unit_test(test_timer_rearmed_due_waits_a_turn),
      cmocka_unit_test(test_invalid_urls),
      cmocka_unit_test(test_callback_order_once_and_off),
      cmocka_unit_test(test_on_done_after_final),
      cmocka_unit_test(test_free_in_own_callback),
      cmocka_unit_test(test_detached_task_still_runs),
      cmocka_unit_test(test_callback_creates_tasks),
      cmocka_unit_test(test_callback_cancels_siblings),
      cmocka_unit_test(test_cap_seen_by_server),
      cmocka_unit_test(test_ctx_free_cancels_live),
      cmocka_unit_test(test_borrowed_loop),
      cmocka_unit_test(test_deadline_from_fetch_time),
      cmocka_unit_test(test_names_and_nulls),
      cmocka_unit_test(test_crawler_api_nulls),
      cmocka_unit_test(test_trace_stages),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
