/*
 * transfer.c - a task's life inside curl: an easy handle from the pool is
 * set up from the request, its body and headers are collected, and at the
 * end the response (or the error, mapped from the CURLcode to an
 * sl_error_kind) is copied out before the handle goes back to the pool.
 * See transfer.h.
 */
#include "fetcher/transfer.h"

#include "fetcher/proxy.h"
#include "fetcher/task.h"
#include "fetcher/timeout.h"
#include "fetcher/url.h"
#include "limits/ns.h"
#include "loop/loop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A pooled easy handle and what it was last given, so a reuse sets only
   the options whose value changed.  Its PRIVATE and WRITEDATA point to
   the slot itself, which points to the task it runs.  There is no header
   callback: what is kept of the headers is read from curl at the end. */
struct sl_easy {
  CURL *curl;
  struct sl_task *task;
  struct sl_curlu url; /* given as CURLOPT_CURLU when curl_url took it */
  char errbuf[CURL_ERROR_SIZE];
  long timeout_ms, connect_timeout_ms, max_redirects;
  const struct curl_slist *resolve; /* NULL: none was given */
  bool head, follow, tls, curlu;
  unsigned sends;           /* requests curl sent for this transfer */
  struct sl_loop_easy sock; /* the loop's: why a socket failed */
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
  struct sl_task *t = ((struct sl_easy *)ud)->task;
  size_t len = size * n;
  if(t->max_body && t->resp.bytes + len > t->max_body) {
    t->too_large = true;
    return 0; /* CURLE_WRITE_ERROR */
  }
  t->resp.bytes += len;
  if((t->flags & SL_REQ_BUFFER_BODY) && sl_buf_append(&t->body, p, len)) {
    t->nomem = true;
    return 0;
  }
  return len;
}

/* Keeps the Retry-After of the last response (curl trims it; the last
   one when repeated) for the retry and host pause decisions.  Only asked
   for a response that is not a success. */
static void keep_retry_after(struct sl_task *t, CURL *e)
{
  struct curl_header *h, *last = NULL;
  size_t n;
  if(curl_easy_header(e, "Retry-After", 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
    return;
  if(h->amount > 1 && curl_easy_header(e, "Retry-After", h->amount - 1,
                                       CURLH_HEADER, -1, &last) == CURLHE_OK)
    h = last;
  n = strlen(h->value);
  if(n >= sizeof(t->retry_after))
    n = sizeof(t->retry_after) - 1;
  memcpy(t->retry_after, h->value, n);
  t->retry_after[n] = '\0';
}

/* SL_REQ_KEEP_HEADERS: the last response's headers (not those of a 1xx
   or of a redirect followed) from curl's own store, as "Name: value\0"
   entries, once the transfer is done.  False when memory runs out. */
static bool keep_headers(struct sl_task *t, CURL *e)
{
  struct curl_header *h = NULL;
  sl_buf_reset(&t->headers, 64 * 1024);
  while((h = curl_easy_nextheader(e, CURLH_HEADER, -1, h))) {
    if(sl_buf_append(&t->headers, h->name, strlen(h->name)) ||
       sl_buf_append(&t->headers, ": ", 2) ||
       sl_buf_append(&t->headers, h->value, strlen(h->value) + 1))
      return false;
  }
  return true;
}

/* CURLOPT_RESOLVER_START_FUNCTION: curl only gets here for a name we did
   not answer with CURLOPT_RESOLVE; refuse, so its threaded resolver never
   runs (the transfer fails with a dns error instead). */
static int no_curl_resolver(void *resolver_state, void *reserved, void *ud)
{
  (void)resolver_state;
  (void)reserved;
  (void)ud;
  return 1;
}

int sl__xfer_init(struct sl_xfer *xf, struct sl_loop *loop,
                  const struct sl_options *o, size_t max_pool)
{
  const char *ua = o->user_agent ? o->user_agent : "sluice/" SL_VERSION;
  memset(xf, 0, sizeof(*xf));
  xf->loop = loop;
  xf->http_version = o->http_version;
  xf->proxy_env = sl__proxy_in_env();
  xf->max_pool = max_pool;
  errno = ENOMEM;
  if(!(xf->pool = calloc(max_pool, sizeof(*xf->pool))))
    return -1;
  if(o->ca_file && !(xf->ca_file = strdup(o->ca_file)))
    return -1;
  if(*ua) { /* "": no User-Agent at all */
    char *h = malloc(strlen(ua) + sizeof("User-Agent: "));
    if(h) {
      strcpy(h, "User-Agent: ");
      strcat(h, ua);
      xf->headers = curl_slist_append(NULL, h); /* copies h */
      free(h);
    }
    if(!xf->headers)
      return -1;
  }
  return 0;
}

/* CURLOPT_PREREQFUNCTION: a request is about to go out.  More than one
   per transfer (redirects aside) means libcurl sent it again by itself,
   on a new connection, after a reused one died before any answer
   (Curl_retry_request): those are attempts too. */
static int on_prereq(void *ud, char *ip, char *local_ip, int port,
                     int local_port)
{
  (void)ip;
  (void)local_ip;
  (void)port;
  (void)local_port;
  ((struct sl_easy *)ud)->sends++;
  return CURL_PREREQFUNC_OK;
}

static struct sl_easy *easy_get(struct sl_xfer *xf)
{
  struct sl_easy *x;
  CURL *e;
  if(xf->npool)
    return xf->pool[--xf->npool];
  x = calloc(1, sizeof(*x));
  if(!x)
    return NULL;
  e = curl_easy_init();
  if(!e) {
    free(x);
    return NULL;
  }
  x->curl = e;
  x->max_redirects = -1; /* curl's default; ours is 10, set on first use */
  /* options that never change between requests are set once */
  sl_loop_prepare(xf->loop, e, &x->sock);
  curl_easy_setopt(e, CURLOPT_PRIVATE, x);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
  curl_easy_setopt(e, CURLOPT_PREREQDATA, x);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  /* as a header of our own: curl then skips formatting its User-Agent
     line anew for every request (5 % of the instructions per request) */
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, xf->headers);
  if(!xf->proxy_env) {
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_NOPROXY, "");
  }
  if(xf->ca_file)
    curl_easy_setopt(e, CURLOPT_CAINFO, xf->ca_file);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                   xf->http_version == SL_HTTP_1_1
                       ? (long)CURL_HTTP_VERSION_1_1
                       : (long)CURL_HTTP_VERSION_2TLS);
  return x;
}

static void easy_free(struct sl_easy *x)
{
  curl_easy_cleanup(x->curl);
  sl__curlu_free(&x->url); /* after the handle that used it */
  free(x);
}

static void easy_put(struct sl_xfer *xf, struct sl_easy *x)
{
  x->task = NULL;
  if(xf->npool < xf->max_pool) {
    xf->pool[xf->npool++] = x;
    return;
  }
  easy_free(x);
}

void sl__xfer_free(struct sl_xfer *xf)
{
  while(xf->npool)
    easy_free(xf->pool[--xf->npool]);
  free(xf->pool);
  xf->pool = NULL;
  free(xf->ca_file);
  xf->ca_file = NULL;
  curl_slist_free_all(xf->headers);
  xf->headers = NULL;
}

/* Gives the handle this request's options, each only when it differs
   from what the handle's last request had. */
static void easy_setup(const struct sl_xfer *xf, struct sl_easy *x,
                       struct sl_task *t, long timeout)
{
  CURL *e = x->curl;
  const struct curl_slist *resolve = sl__resolve_slist(t->resolve);
  bool head = t->flags & SL_REQ_HEAD;
  bool follow = t->flags & SL_REQ_FOLLOW_REDIRECTS;
  long redirs = t->max_redirects > 0 ? t->max_redirects : 10L;
  /* the URL was checked by sl__url_host: http or https */
  bool tls = (t->url.p[4] | 0x20) == 's';

  x->task = t;
  x->errbuf[0] = '\0';
  x->sends = 0;
  x->sock.socket_errno = 0;
  if(sl__curlu_set(&x->url, t->url.p)) {
    if(!x->curlu)
      curl_easy_setopt(e, CURLOPT_CURLU, x->url.u);
    x->curlu = true;
  } else { /* curl says why the URL is bad (or is out of memory too) */
    if(x->curlu)
      curl_easy_setopt(e, CURLOPT_CURLU, NULL);
    x->curlu = false;
    curl_easy_setopt(e, CURLOPT_URL, t->url.p);
  }
  if(x->timeout_ms != timeout) {
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout);
    x->timeout_ms = timeout;
  }
  if(x->connect_timeout_ms != t->connect_timeout_ms) {
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, t->connect_timeout_ms);
    x->connect_timeout_ms = t->connect_timeout_ms;
  }
  /* our answer for the name; NULL for IP literals, which curl converts
     without a lookup.  For names the guard makes sure curl never falls
     back to its own resolver; not with a proxy, whose name is curl's to
     resolve.  A list is given again on every use, not only when the
     pointer changed: curl loads it into its DNS cache only when set, and
     a renewed answer may be a new list at a freed one's address. */
  if(resolve || x->resolve) {
    curl_easy_setopt(e, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(e, CURLOPT_RESOLVER_START_FUNCTION,
                     resolve && !xf->proxy_env ? no_curl_resolver : NULL);
    x->resolve = resolve;
  }
  if(x->head != head) {
    if(head)
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    else
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    x->head = head;
  }
  if(x->follow != follow) {
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, follow ? 1L : 0L);
    x->follow = follow;
  }
  if(x->max_redirects != redirs) {
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, redirs);
    x->max_redirects = redirs;
  }
  /* HTTP/2 comes only over TLS: there a transfer waits for its host's
     connection in progress in case it multiplexes.  Not for http://,
     where curl would hold every transfer to a new host until the first
     response said HTTP/1.1. */
  if(x->tls != tls && xf->http_version != SL_HTTP_1_1) {
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, tls ? 1L : 0L);
    x->tls = tls;
  }
}

int sl__xfer_start(struct sl_xfer *xf, struct sl_task *t, int64_t now)
{
  long timeout = 0;
  struct sl_easy *x;
  int rc;

  if(t->deadline > 0) {
    int64_t left = t->deadline - now;
    if(left < SL_NS_PER_MS) {
      sl__timeout_pending(t, now, "before its transfer started");
      return -1;
    }
    timeout = (long)((left + SL_NS_PER_MS - 1) / SL_NS_PER_MS);
  }
  x = easy_get(xf);
  if(!x) {
    sl__err_set(&t->err, SL_ERR_INTERNAL, CURLE_OUT_OF_MEMORY,
                "out of memory");
    return -1;
  }
  easy_setup(xf, x, t, timeout);
  rc = sl_loop_add(xf->loop, x->curl);
  if(rc) {
    easy_put(xf, x);
    sl__err_set(&t->err, SL_ERR_INTERNAL, 0, curl_multi_strerror(rc));
    return -1;
  }
  t->easy = x;
  t->attempts++;
  t->started_at = now;
  t->resp.timing.queued_ms = sl_ns_to_ms(now - t->created_at);
  return 0;
}

void sl__xfer_stop(struct sl_xfer *xf, struct sl_task *t)
{
  struct sl_easy *x = t->easy;
  if(!x)
    return;
  sl_loop_remove(xf->loop, x->curl);
  t->easy = NULL;
  easy_put(xf, x);
}

/* The kind of rc for t, whose response was kept (keep_response).  What a
   hostile server or the system makes libcurl say is told by the
   transfer's details: an unsupported protocol after the request went
   out is a server that does not speak HTTP (HTTP/0.9, a status line like
   099 or 1000), or a redirect; "out of memory" then is libcurl's limit
   on a response header (100 KB); "could not connect" with EMFILE is
   sluice out of file descriptors. */
static enum sl_error_kind kind_of(CURLcode rc, const struct sl_task *t,
                                  const struct sl_easy *x)
{
  curl_off_t sent = 0;
  switch(rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return SL_ERR_TIMEOUT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return SL_ERR_DNS;
    case CURLE_COULDNT_CONNECT:
      return x->sock.socket_errno == EMFILE ||
                     x->sock.socket_errno == ENFILE ||
                     x->sock.socket_errno == ENOMEM
                 ? SL_ERR_INTERNAL
                 : SL_ERR_CONNECT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
      return SL_ERR_TLS;
    case CURLE_WRITE_ERROR:
      if(t->too_large)
        return SL_ERR_TOO_LARGE;
      return SL_ERR_INTERNAL;
    case CURLE_TOO_MANY_REDIRECTS:
      return SL_ERR_REDIRECT;
    case CURLE_UNSUPPORTED_PROTOCOL: /* http(s) was checked: not the URL */
      return t->resp.redirects ? SL_ERR_REDIRECT : SL_ERR_PROTOCOL;
    case CURLE_URL_MALFORMAT:
      return SL_ERR_INVALID_URL;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_BAD_CONTENT_ENCODING:
      return SL_ERR_PROTOCOL;
    case CURLE_OUT_OF_MEMORY:
      curl_easy_getinfo(x->curl, CURLINFO_PRETRANSFER_TIME_T, &sent);
      return sent > 0 ? SL_ERR_PROTOCOL : SL_ERR_INTERNAL;
    default:
      return SL_ERR_IO; /* reset, truncated, empty reply, send/recv */
  }
}

static double us_to_ms(CURL *e, CURLINFO info)
{
  curl_off_t us = 0;
  curl_easy_getinfo(e, info, &us);
  return (double)us / 1000.0;
}

/* Copies a string curl owns into t->meta; returns its offset or -1. */
static long keep_info_str(struct sl_task *t, CURL *e, CURLINFO info)
{
  char *s = NULL;
  if(curl_easy_getinfo(e, info, &s) != CURLE_OK || !s)
    return -1;
  return sl_buf_push_str(&t->meta, s);
}

void sl__xfer_reset(struct sl_task *t)
{
  double queued = t->resp.timing.queued_ms;
  memset(&t->resp, 0, sizeof(t->resp));
  t->resp.timing.queued_ms = queued;
  sl_buf_reset(&t->body, 64 * 1024);
  sl_buf_reset(&t->headers, 16 * 1024);
  sl_buf_reset(&t->meta, 4096);
  t->too_large = t->nomem = false;
  sl__err_clear(&t->err);
}

/* Copies what curl knows of the response into t. */
static void keep_response(struct sl_task *t, CURL *e)
{
  struct sl_response *r = &t->resp;
  long v = 0, ct, eff, loc;

  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
  curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &v);
  r->http_version = v == CURL_HTTP_VERSION_1_0   ? 10
                    : v == CURL_HTTP_VERSION_1_1 ? 11
                    : v == CURL_HTTP_VERSION_2_0 ? 20
                    : v == CURL_HTTP_VERSION_3   ? 30
                                                 : 0;
  curl_easy_getinfo(e, CURLINFO_REDIRECT_COUNT, &r->redirects);
  t->retry_after[0] = '\0';
  if(r->status < 200 || r->status >= 300)
    keep_retry_after(t, e);
  if((t->flags & SL_REQ_KEEP_HEADERS) && !keep_headers(t, e))
    t->nomem = true;
  v = 0;
  curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &v);
  r->reused_connection = r->status && v == 0;
  r->timing.dns_ms = sl_ns_to_ms(t->dns_ns); /* ours: curl finds ours */
  r->timing.connect_ms = us_to_ms(e, CURLINFO_CONNECT_TIME_T);
  r->timing.ttfb_ms = us_to_ms(e, CURLINFO_STARTTRANSFER_TIME_T);
  r->timing.total_ms = us_to_ms(e, CURLINFO_TOTAL_TIME_T);
  ct = keep_info_str(t, e, CURLINFO_CONTENT_TYPE);
  eff = keep_info_str(t, e, CURLINFO_EFFECTIVE_URL);
  loc = keep_info_str(t, e, CURLINFO_REDIRECT_URL);
  /* offsets become pointers only now: meta may have moved while growing */
  r->content_type = ct >= 0 ? t->meta.p + ct : NULL;
  r->effective_url = eff >= 0 ? t->meta.p + eff : t->url.p;
  r->redirect_url = loc >= 0 ? t->meta.p + loc : NULL;
  if(t->flags & SL_REQ_BUFFER_BODY) {
    r->body = t->body.p ? t->body.p : "";
    r->body_len = t->body.len;
  }
}

/* The outcome of a try that curl ended with rc, its error set. */
/* What to say of a failure whose kind is not the one its CURLcode
   suggests (see kind_of), or NULL for curl's own message. */
static const char *reworded(CURLcode rc, enum sl_error_kind kind,
                            const struct sl_easy *x)
{
  if(rc == CURLE_OUT_OF_MEMORY && kind == SL_ERR_PROTOCOL)
    return "response header too large (over libcurl's 100 KB a header), or "
           "libcurl out of memory";
  if(rc == CURLE_COULDNT_CONNECT && kind == SL_ERR_INTERNAL)
    return x->sock.socket_errno == ENOMEM
               ? "out of memory opening a socket"
               : "out of file descriptors (too many open files): lower -j "
                 "or raise the limit (ulimit -n)";
  return NULL;
}

static enum sl_error_kind outcome(struct sl_task *t, CURLcode rc,
                                  const struct sl_easy *x)
{
  const char *errbuf = x->errbuf;
  enum sl_error_kind kind;
  const char *why;
  char msg[CURL_ERROR_SIZE + 32];
  if(rc == CURLE_OK && !t->nomem) {
    if(!(t->flags & SL_REQ_FAIL_ON_HTTP_ERROR) || t->resp.status < 400)
      return SL_ERR_NONE;
    snprintf(msg, sizeof(msg), "HTTP status %ld", t->resp.status);
    sl__err_set(&t->err, SL_ERR_HTTP, 0, msg);
    return SL_ERR_HTTP;
  }
  if(t->nomem) {
    sl__err_set(&t->err, SL_ERR_INTERNAL, rc,
                "out of memory buffering the response");
    return SL_ERR_INTERNAL;
  }
  kind = kind_of(rc, t, x);
  why = reworded(rc, kind, x);
  if(kind == SL_ERR_TOO_LARGE) {
    snprintf(msg, sizeof(msg), "body larger than max_body (%zu bytes)",
             t->max_body);
    sl__err_set(&t->err, kind, rc, msg);
  } else if(kind == SL_ERR_PROTOCOL && rc == CURLE_UNSUPPORTED_PROTOCOL) {
    snprintf(msg, sizeof(msg), "not an HTTP response: %s",
             errbuf[0] ? errbuf : curl_easy_strerror(rc));
    sl__err_set(&t->err, kind, rc, msg);
  } else
    sl__err_set(&t->err, kind, rc,
                why         ? why
                : errbuf[0] ? errbuf
                            : curl_easy_strerror(rc));
  return kind;
}

struct sl_task *sl__xfer_done(struct sl_xfer *xf, CURL *easy, CURLcode rc,
                              enum sl_error_kind *kind)
{
  struct sl_easy *x = NULL;
  struct sl_task *t;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
  t = x->task;
  keep_response(t, easy);
  if(x->sends > 1 + (unsigned long)t->resp.redirects)
    t->attempts += x->sends - 1 - (unsigned)t->resp.redirects;
  *kind = outcome(t, rc, x);
  if(*kind == SL_ERR_TIMEOUT)
    sl__timeout_transfer(t, t->err.e.message); /* which timeout, and when */
  t->easy = NULL;
  easy_put(xf, x);
  return t;
}
