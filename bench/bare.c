/*
 * bare.c - bench-bare: a reference loop for bench/run to measure next to
 * sluice and curl.  libev + curl multi_socket, pooled easy handles,
 * N in flight, bodies discarded, no records, no limits, no tasks: what a
 * minimal fetcher costs on this machine with this libcurl.  Like the
 * simplest such loop, it re-arms the ev_io on every socket callback and
 * re-adds handles one at a time.
 *
 *   bench-bare URLFILE [N]     prints "bare: DONE ok, FAILED failed"
 */
#include <curl/curl.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ev_loop *loop;
static CURLM *multi;
static ev_timer timer;
static FILE *in;
static long ok, failed;
static char line[8192];

static size_t discard(char *p, size_t sz, size_t n, void *ud)
{
  (void)p;
  (void)ud;
  return sz * n;
}

/* Give @e the next URL and add it; false at the end of the input. */
static int next(CURL *e)
{
  size_t len;
  if(!fgets(line, sizeof(line), in))
    return 0;
  len = strcspn(line, "\r\n");
  line[len] = '\0';
  curl_easy_setopt(e, CURLOPT_URL, line);
  curl_multi_add_handle(multi, e);
  return 1;
}

static void drain(void)
{
  CURLMsg *m;
  int left;
  while((m = curl_multi_info_read(multi, &left))) {
    CURL *e = m->easy_handle;
    if(m->msg != CURLMSG_DONE)
      continue;
    if(m->data.result == CURLE_OK)
      ok++;
    else
      failed++;
    curl_multi_remove_handle(multi, e);
    if(!next(e))
      curl_easy_cleanup(e);
  }
}

static void on_io(struct ev_loop *l, ev_io *w, int revents)
{
  int running, act = (revents & EV_READ ? CURL_CSELECT_IN : 0) |
                     (revents & EV_WRITE ? CURL_CSELECT_OUT : 0);
  (void)l;
  curl_multi_socket_action(multi, w->fd, act, &running);
  drain();
}

static void on_timer(struct ev_loop *l, ev_timer *w, int revents)
{
  int running;
  (void)l;
  (void)w;
  (void)revents;
  curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
  drain();
}

static int on_timerfn(CURLM *m, long ms, void *ud)
{
  (void)m;
  (void)ud;
  ev_timer_stop(loop, &timer);
  if(ms >= 0) {
    ev_timer_set(&timer, ms / 1000.0, 0.);
    ev_timer_start(loop, &timer);
  }
  return 0;
}

static int on_socket(CURL *e, curl_socket_t s, int what, void *ud, void *sp)
{
  ev_io *w = sp;
  (void)e;
  (void)ud;
  if(what == CURL_POLL_REMOVE) {
    if(w) {
      ev_io_stop(loop, w);
      free(w);
    }
    return 0;
  }
  if(!w) {
    w = malloc(sizeof(*w));
    if(!w)
      abort();
    curl_multi_assign(multi, s, w);
  } else
    ev_io_stop(loop, w);
  ev_io_init(w, on_io, s,
             (what & CURL_POLL_IN ? EV_READ : 0) |
                 (what & CURL_POLL_OUT ? EV_WRITE : 0));
  ev_io_start(loop, w);
  return 0;
}

int main(int argc, char **argv)
{
  long n = argc > 2 ? atol(argv[2]) : 64;
  if(argc < 2 || n < 1) {
    fprintf(stderr, "usage: bench-bare URLFILE [N]\n");
    return 2;
  }
  in = fopen(argv[1], "r");
  if(!in) {
    perror(argv[1]);
    return 1;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  loop = EV_DEFAULT;
  multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timerfn);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 2 * n);
  ev_init(&timer, on_timer);
  for(long i = 0; i < n; i++) {
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    if(!next(e)) {
      curl_easy_cleanup(e);
      break;
    }
  }
  ev_run(loop, 0);
  curl_multi_cleanup(multi);
  fclose(in);
  printf("bare: %ld ok, %ld failed\n", ok, failed);
  return failed != 0;
}
