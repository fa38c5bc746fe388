/*
 * response.c - a transfer's response and outcome, copied out of curl.
 * See response.h.
 *
 * Everything is read from curl once the transfer has ended (no header
 * callback, which would cost every request): the status and version,
 * Retry-After when it is not a success, the headers when asked, the
 * timing, the address, and the strings the response points to, which go
 * into the task's meta buffer.  Times of a transfer that follows
 * redirects are shifted to count from the try's first transfer.
 */
#include "fetcher/response.h"

#include "fetcher/task.h"
#include "limits/ns.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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

/* Appends value, NUL-terminated, trimmed of blanks and line ends, with
   any line end inside it (an obs-fold) made a space: curl's store keeps a
   bare LF that ends a line ("Name: \n" gives "\n") and folded lines as
   they came, and a header's value must be one line. */
static int append_value(struct sl_buf *b, const char *v)
{
  const char *ws = " \t\r\n";
  size_t n, from;
  v += strspn(v, ws);
  n = strlen(v);
  while(n && strchr(ws, v[n - 1]))
    n--;
  from = b->len;
  if(sl_buf_append(b, v, n) || sl_buf_append(b, "", 1))
    return -1;
  for(char *p = b->p + from; *p; p++)
    if(*p == '\r' || *p == '\n')
      *p = ' ';
  return 0;
}

/* SL_REQ_KEEP_HEADERS (and on_headers): the last response's headers (not
   those of a 1xx or of a redirect followed) from curl's own store, as
   "Name\0value\0" entries, in the order received.  Once the transfer is
   done, or when on_headers is about to run.  A line with no name (": x",
   which curl stores) is no header and is left out. */
bool sl__response_keep_headers(struct sl_task *t, CURL *e)
{
  struct curl_header *h = NULL;
  sl_buf_reset(&t->headers, 64 * 1024);
  while((h = curl_easy_nextheader(e, CURLH_HEADER, -1, h))) {
    if(!*h->name)
      continue;
    if(sl_buf_append(&t->headers, h->name, strlen(h->name) + 1) ||
       append_value(&t->headers, h->value))
      return false;
  }
  return true;
}

/* The kind of rc for t, whose response was kept.  What a hostile server
   or the system makes libcurl say is told by the transfer's details: an
   unsupported protocol (http and https were checked, and redirects are
   ours) is a server that does not speak HTTP (HTTP/0.9, a status line
   like 099 or 1000); "out of memory" after the request went out is
   libcurl's limit on a response header (100 KB); "could not connect"
   with EMFILE is sluice out of file descriptors (sock_errno: errno of
   the socket() that failed, or 0). */
static enum sl_error_kind kind_of(CURLcode rc, const struct sl_task *t,
                                  CURL *e, int sock_errno)
{
  curl_off_t sent = 0;
  switch(rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return SL_ERR_TIMEOUT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return SL_ERR_DNS;
    case CURLE_COULDNT_CONNECT:
      return sock_errno == EMFILE || sock_errno == ENFILE ||
                     sock_errno == ENOMEM
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
    case CURLE_UNSUPPORTED_PROTOCOL:
      return SL_ERR_PROTOCOL;
    case CURLE_URL_MALFORMAT:
      return SL_ERR_INVALID_URL;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_BAD_CONTENT_ENCODING:
      return SL_ERR_PROTOCOL;
    case CURLE_OUT_OF_MEMORY:
      curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &sent);
      return sent > 0 ? SL_ERR_PROTOCOL : SL_ERR_INTERNAL;
#if LIBCURL_VERSION_NUM >= 0x080600
    case CURLE_TOO_LARGE: /* libcurl 8.6 on: a header over its limit */
      return SL_ERR_PROTOCOL;
#endif
    case CURLE_GOT_NOTHING: /* after a 1xx: no final status came */
      return t->resp.status >= 100 && t->resp.status < 200 ? SL_ERR_PROTOCOL
                                                           : SL_ERR_IO;
    default:
      return SL_ERR_IO; /* reset, truncated, empty reply, send/recv */
  }
}

/* What to say of a failure whose kind is not the one its CURLcode
   suggests (see kind_of), or NULL for curl's own message. */
static const char *reworded(CURLcode rc, enum sl_error_kind kind,
                            int sock_errno)
{
  if(rc == CURLE_OUT_OF_MEMORY && kind == SL_ERR_PROTOCOL)
    return "response header too large (over libcurl's 100 KB a header), or "
           "libcurl out of memory";
#if LIBCURL_VERSION_NUM >= 0x080600
  if(rc == CURLE_TOO_LARGE)
    return "response header too large (over libcurl's limit)";
#endif
  if(rc == CURLE_GOT_NOTHING && kind == SL_ERR_PROTOCOL)
    return "not an HTTP response: no final status after an informational "
           "(1xx) one";
  if(rc == CURLE_COULDNT_CONNECT && kind == SL_ERR_INTERNAL)
    return sock_errno == ENOMEM
               ? "out of memory opening a socket"
               : "out of file descriptors (too many open files): lower -j "
                 "or raise the limit (ulimit -n)";
  return NULL;
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

void sl__response_reset(struct sl_task *t)
{
  double queued = t->resp.timing.queued_ms;
  memset(&t->resp, 0, sizeof(t->resp));
  t->resp.timing.queued_ms = queued;
  sl_buf_reset(&t->body, 64 * 1024);
  sl_buf_reset(&t->headers, 16 * 1024);
  sl_buf_reset(&t->meta, 4096);
  t->too_large = t->nomem = t->sink_failed = t->declined = false;
  t->read_errno = 0;
  if(t->sink_fed)
    t->sink_reset = true;
  t->sink_fed = false;
  sl__err_clear(&t->err);
}

/* The phases from curl, which counts from the transfer's start, shifted
   to count from the try's first transfer (they differ after redirects).
   A phase curl did not time stays 0. */
static void keep_timing(struct sl_task *t, CURL *e)
{
  struct sl_timing *tm = &t->resp.timing;
  double shift = sl_ns_to_ms(t->started_at - t->try_start);
  double *phase[] = {&tm->connect_ms, &tm->tls_ms, &tm->ttfb_ms,
                     &tm->total_ms};
  static const CURLINFO info[] = {
      CURLINFO_CONNECT_TIME_T, CURLINFO_APPCONNECT_TIME_T,
      CURLINFO_STARTTRANSFER_TIME_T, CURLINFO_TOTAL_TIME_T};
  tm->dns_ms = sl_ns_to_ms(t->dns_ns); /* ours: curl finds ours */
  for(size_t i = 0; i < sizeof(info) / sizeof(info[0]); i++) {
    *phase[i] = us_to_ms(e, info[i]);
    if(*phase[i] > 0)
      *phase[i] += shift;
  }
}

int sl__http_version(long v)
{
  return v == CURL_HTTP_VERSION_1_0   ? 10
         : v == CURL_HTTP_VERSION_1_1 ? 11
         : v == CURL_HTTP_VERSION_2_0 ? 20
         : v == CURL_HTTP_VERSION_3   ? 30
                                      : 0;
}

void sl__response_keep(struct sl_task *t, CURL *e)
{
  struct sl_response *r = &t->resp;
  long v = 0, ct, loc, ip;

  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
  if(!sl__status_is_http(r->status))
    r->status = 0; /* none: the task ends kind protocol */
  curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &v);
  r->http_version = sl__http_version(v);
  r->redirects = (long)t->hops;
  t->retry_after[0] = '\0';
  if(r->status < 200 || r->status >= 300)
    keep_retry_after(t, e);
  if((t->flags & SL_REQ_KEEP_HEADERS) && !sl__response_keep_headers(t, e))
    t->nomem = true;
  v = 0;
  curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &v);
  r->reused_connection = r->status && v == 0;
  keep_timing(t, e);
  ct = keep_info_str(t, e, CURLINFO_CONTENT_TYPE);
  loc = keep_info_str(t, e, CURLINFO_REDIRECT_URL);
  ip = keep_info_str(t, e, CURLINFO_PRIMARY_IP);
  /* offsets become pointers only now: meta may have moved while growing */
  r->content_type = ct >= 0 ? t->meta.p + ct : NULL;
  /* curl never follows: this transfer's URL.  (CURLINFO_EFFECTIVE_URL
     would be wrong: libcurl 7.88 keeps the first URL of a handle whose
     CURLU is changed between transfers, as the pool does.) */
  r->effective_url = sl__task_cur_url(t);
  r->redirect_url = loc >= 0 ? t->meta.p + loc : NULL;
  r->ip = ip >= 0 && t->meta.p[ip] ? t->meta.p + ip : NULL;
  if(t->flags & SL_REQ_BUFFER_BODY) {
    r->body = t->body.p ? t->body.p : "";
    r->body_len = t->body.len;
  }
}

/* The error of a try that curl ended with rc (not a success). */
static enum sl_error_kind failure(struct sl_task *t, CURLcode rc,
                                  const char *errbuf, CURL *e, int sock_errno)
{
  enum sl_error_kind kind = kind_of(rc, t, e, sock_errno);
  const char *why = reworded(rc, kind, sock_errno);
  const char *curls = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  char msg[512];
  if(kind == SL_ERR_TOO_LARGE) {
    /* the library's max_body, the command line's --max-filesize */
    snprintf(msg, sizeof(msg), "body larger than the size limit (%zu bytes)",
             t->max_body);
  } else if(t->read_errno) {
    kind = SL_ERR_IO;
    snprintf(msg, sizeof(msg), "reading the body file '%s': %s",
             sl__reqx_str(&t->rx, t->rx.body_file), strerror(t->read_errno));
  } else if(kind == SL_ERR_PROTOCOL && rc == CURLE_UNSUPPORTED_PROTOCOL)
    snprintf(msg, sizeof(msg), "not an HTTP response: %s", curls);
  else
    snprintf(msg, sizeof(msg), "%s", why ? why : curls);
  sl__err_set(&t->err, kind, rc, msg);
  return kind;
}

enum sl_error_kind sl__response_outcome(struct sl_task *t, CURLcode rc,
                                        const char *errbuf, CURL *e,
                                        int sock_errno)
{
  char msg[96];
  if(t->sink_failed) /* its message is set */
    return SL_ERR_IO;
  if(t->declined) /* on_headers said no: its message is set */
    return SL_ERR_CANCELLED;
  if(t->nomem) {
    sl__err_set(&t->err, SL_ERR_INTERNAL, rc,
                "out of memory buffering the response");
    return SL_ERR_INTERNAL;
  }
  if(rc != CURLE_OK)
    return failure(t, rc, errbuf, e, sock_errno);
  if(!t->resp.status) { /* curl took a broken status line (see keep) */
    sl__err_set(&t->err, SL_ERR_PROTOCOL, 0,
                "not an HTTP response: no valid status line");
    return SL_ERR_PROTOCOL;
  }
  if(!(t->flags & SL_REQ_FAIL_ON_HTTP_ERROR) || t->resp.status < 400)
    return SL_ERR_NONE;
  snprintf(msg, sizeof(msg), "HTTP status %ld", t->resp.status);
  sl__err_set(&t->err, SL_ERR_HTTP, 0, msg);
  return SL_ERR_HTTP;
}
