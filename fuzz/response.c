/*
 * response.c - fuzzes what sluice does with a server's response, end to
 * end: a thread of the harness answers every connection with the input's
 * bytes and closes it, and sluice fetches from it through the library.
 * libcurl parses the bytes; what is fuzzed is sluice's side of them:
 * the headers kept and iterated, on_headers, Retry-After, the outcome
 * and its kind, redirects (the Location followed or reported), max_body,
 * decoding, the response kept for a failure.
 *
 * The input's first byte picks the request's options (below); the rest
 * is the response.  The thread is the context's proxy, so a redirect to
 * any host comes back to it (no name is ever looked up, no other port
 * is ever connected to).
 *
 * Invariants: the task ends; a server's bytes never give the kinds that
 * mean a bug or bad input of ours (none, invalid_request, internal); a
 * kind is one the request allows (http only with FAIL_ON_HTTP_ERROR,
 * too_large only with max_body, cancelled only when on_headers declined);
 * a response kept has a status in 100..999, a buffered body as long as
 * its byte count and NUL-terminated, no body for a HEAD, at most
 * max_body bytes; every header iterated has a non-empty name and no CR,
 * LF in name or value, and sl_task_header() of a name is the first
 * value sl_task_header_next() gives for it.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "sluice.h"

#define MAX_BODY 100

/* the request's options, from the input's first byte */
enum {
  O_FOLLOW = 1 << 0,
  O_HEAD = 1 << 1,
  O_BUFFER = 1 << 2,
  O_KEEP_HEADERS = 1 << 3,
  O_ON_HEADERS = 1 << 4,
  O_DECODE = 1 << 5,
  O_MAX_BODY = 1 << 6,
  O_FAIL_ON_HTTP = 1 << 7,
};

static struct {
  pthread_mutex_t lock;
  const uint8_t *resp; /* what every connection is answered with */
  size_t len;
  int port;
} srv = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Reads the request's head (up to a blank line, a bound, or 2 s). */
static void read_head(int fd)
{
  char buf[16384];
  size_t n = 0;
  ssize_t r;
  while(n < sizeof(buf) - 1 &&
        (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0) {
    n += (size_t)r;
    buf[n] = '\0';
    if(strstr(buf, "\r\n\r\n"))
      return;
  }
}

static void *serve(void *arg)
{
  int lfd = *(int *)arg;
  struct timeval tv = {2, 0};
  for(;;) {
    int fd = accept(lfd, NULL, NULL);
    if(fd < 0)
      continue;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    read_head(fd);
    pthread_mutex_lock(&srv.lock);
    if(srv.len)
      (void)!send(fd, srv.resp, srv.len, MSG_NOSIGNAL);
    pthread_mutex_unlock(&srv.lock);
    shutdown(fd, SHUT_WR);
    close(fd);
  }
  return NULL;
}

static void start_server(void)
{
  static int lfd;
  struct sockaddr_in a = {.sin_family = AF_INET};
  socklen_t len = sizeof(a);
  pthread_t th;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  lfd = socket(AF_INET, SOCK_STREAM, 0);
  if(lfd < 0 || bind(lfd, (struct sockaddr *)&a, len) || listen(lfd, 64) ||
     getsockname(lfd, (struct sockaddr *)&a, &len) ||
     pthread_create(&th, NULL, serve, &lfd))
    abort();
  srv.port = ntohs(a.sin_port);
}

static void check_text(const char *s, bool name)
{
  if(!s || (name && !*s) || strpbrk(s, "\r\n"))
    abort();
}

/* Every header kept: names and values clean; sl_task_header(name) is
   the first value of name. */
static void check_headers(const sl_task *t)
{
  size_t pos = 0, n = 0;
  const char *v, *name;
  while((v = sl_task_header_next(t, NULL, &pos, &name))) {
    size_t p2 = 0;
    check_text(name, true);
    check_text(v, false);
    if(strcmp(sl_task_header(t, name),
              sl_task_header_next(t, name, &p2, NULL)))
      abort();
    if(++n > 100000)
      abort();
  }
}

/* on_headers: the head is sane, the headers iterate; a content type
   starting with "x" is declined, to go through that path too. */
static const char *on_headers(sl_task *t, const struct sl_response_head *h,
                              void *ud)
{
  (void)ud;
  if(h->status < 200 || h->status > 999 || !h->url)
    abort();
  check_headers(t);
  return h->content_type && h->content_type[0] == 'x' ? "declined" : NULL;
}

static void check_error(const sl_task *t, unsigned o)
{
  const struct sl_error *e;
  if(sl_task_error(t, &e) != SL_OK || !e || !e->message || !*e->message)
    abort();
  switch(e->kind) {
    case SL_ERR_NONE:
    case SL_ERR_INVALID_REQUEST:
    case SL_ERR_INTERNAL:
      abort();
    case SL_ERR_HTTP:
      if(!(o & O_FAIL_ON_HTTP))
        abort();
      break;
    case SL_ERR_TOO_LARGE:
      if(!(o & O_MAX_BODY))
        abort();
      break;
    case SL_ERR_CANCELLED:
      if(!(o & O_ON_HEADERS) || strcmp(e->message, "declined"))
        abort();
      break;
    default:
      break;
  }
}

/* The response kept, which a DONE task must have. */
static void check_response(const sl_task *t, unsigned o, bool done)
{
  const struct sl_response *r;
  if(sl_task_response(t, &r) != SL_OK) {
    if(done)
      abort();
    return;
  }
  if(r->status < 100 || r->status > 999 || ((o & O_HEAD) && r->bytes))
    abort();
  if((o & O_MAX_BODY) && r->bytes > MAX_BODY)
    abort();
  if((o & O_BUFFER) &&
     (!r->body || r->body_len != r->bytes || r->body[r->body_len] != '\0'))
    abort();
  if(o & (O_KEEP_HEADERS | O_ON_HEADERS))
    check_headers(t);
}

/* With FUZZ_RESPONSE_VERBOSE set: what became of the task, on stderr
   (to see what an input reaches). */
static void show(const sl_task *t, unsigned o)
{
  const struct sl_response *r = NULL;
  const struct sl_error *e = NULL;
  sl_task_response(t, &r);
  sl_task_error(t, &e);
  fprintf(stderr,
          "options 0x%02x: %s, status %ld, %llu bytes, %ld redirects%s%s\n", o,
          sl_state_name(sl_task_state(t)), r ? r->status : 0,
          r ? (unsigned long long)r->bytes : 0ULL, r ? r->redirects : 0,
          e ? ", " : "", e ? sl_error_kind_name(e->kind) : "");
  if(e)
    fprintf(stderr, "  %s\n", e->message);
}

static void fetch(unsigned o)
{
  char url[64], proxy[64];
  struct sl_options opt = {0};
  struct sl_request req = {0};
  sl_ctx *ctx;
  sl_task *t;

  snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", srv.port);
  snprintf(url, sizeof(url), "http://origin.test:%d/p?q=1", srv.port);
  opt.proxy = proxy;
  opt.quiet = true;
  opt.max_redirects = 3;
  if(!(ctx = sl_ctx_new(&opt)))
    abort();
  req.url = url;
  req.timeout_ms = 5000;
  req.flags = (o & O_FOLLOW ? SL_REQ_FOLLOW_REDIRECTS : 0) |
              (o & O_HEAD ? SL_REQ_HEAD : 0) |
              (o & O_BUFFER ? SL_REQ_BUFFER_BODY : 0) |
              (o & O_KEEP_HEADERS ? SL_REQ_KEEP_HEADERS : 0) |
              (o & O_FAIL_ON_HTTP ? SL_REQ_FAIL_ON_HTTP_ERROR : 0);
  req.on_headers = o & O_ON_HEADERS ? on_headers : NULL;
  req.accept_encoding = o & O_DECODE ? "" : NULL;
  req.max_body = o & O_MAX_BODY ? MAX_BODY : 0;
  if(!(t = sl_fetch(ctx, &req)))
    abort();
  sl_task_wait(t);
  if(getenv("FUZZ_RESPONSE_VERBOSE"))
    show(t, o);
  if(sl_task_state(t) != SL_DONE)
    check_error(t, o);
  check_response(t, o, sl_task_state(t) == SL_DONE);
  sl_task_free(t);
  sl_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static bool started;
  if(!started) {
    start_server();
    started = true;
  }
  if(size < 1)
    return 0;
  pthread_mutex_lock(&srv.lock);
  srv.resp = data + 1;
  srv.len = size - 1;
  pthread_mutex_unlock(&srv.lock);
  fetch(data[0]);
  pthread_mutex_lock(&srv.lock); /* a late connection gets nothing */
  srv.len = 0;
  pthread_mutex_unlock(&srv.lock);
  return 0;
}
