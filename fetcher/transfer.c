/*
 * transfer.c - a task's life inside curl: an easy handle from the pool is
 * set up from the request (only the options that differ from its last
 * request's, so a plain GET sets next to nothing), the request body is
 * read from its file and the response body goes to the caller (counted,
 * kept, streamed), and at the end response.c copies the response out
 * before the handle goes back to the pool.  See transfer.h.
 */
#include "fetcher/transfer.h"

#include "fetcher/proxy.h"
#include "fetcher/bandwidth.h"
#include "fetcher/origin.h"
#include "fetcher/redirect.h"
#include "fetcher/response.h"
#include "fetcher/task.h"
#include "fetcher/timeout.h"
#include "fetcher/url.h"
#include "limits/ns.h"
#include "loop/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A pooled easy handle and what it was last given, so a reuse sets only
   the options whose value changed.  Its PRIVATE and WRITEDATA point to
   the slot itself, which points to the task it runs.  There is no header
   callback: what is kept of the headers is read from curl at the end. */
struct sl_easy {
  CURL *curl;
  struct sl_task *task;
  struct sl_curlu url; /* given as CURLOPT_CURLU when curl_url took it */
  char errbuf[CURL_ERROR_SIZE];
  long timeout_ms, connect_timeout_ms;
  const struct curl_slist *resolve; /* NULL: none was given */
  const struct curl_slist *headers; /* the list it was given last */
  struct sl_origin *origin; /* whose share it has (NULL: the plain one) */
  enum sl_method method;    /* how the last request was sent */
  bool tls, curlu;
  bool fresh;               /* CURLOPT_FRESH_CONNECT is set */
  bool custom;              /* CURLOPT_CUSTOMREQUEST is set */
  bool encoding;            /* CURLOPT_ACCEPT_ENCODING is set */
  bool hdrfn;               /* CURLOPT_HEADERFUNCTION is set (on_headers) */
  bool rx;                  /* the last request was more than a plain GET */
  unsigned sends;           /* requests curl sent for this transfer */
  struct sl_loop_easy sock; /* the loop's: why a socket failed */
};

/* The first piece of a body, when the task follows redirects: the body
   of a redirect (a status that is followed, with a Location) is dropped.
   curl works the target out only once the transfer is done. */
/* Whether the response whose headers just ended is a redirect that t
   follows (its body is dropped and on_headers is not told). */
static bool followed(struct sl_task *t, CURL *e, long status)
{
  struct curl_header *h;
  return (t->flags & SL_REQ_FOLLOW_REDIRECTS) && sl__redirect_status(status) &&
         curl_easy_header(e, "Location", 0, CURLH_HEADER, -1, &h) == CURLHE_OK;
}

static void body_begins(struct sl_task *t, CURL *e)
{
  long status = 0;
  t->body_seen = true;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  t->skip_body = followed(t, e, status);
}

/* Hands a piece to the request's on_body (after telling it to start over
   when a retry came since the last piece).  false when it said stop. */
static bool feed(struct sl_task *t, const char *p, size_t len)
{
  const char *why = NULL;
  if(t->sink_reset) {
    t->sink_reset = false;
    why = t->on_body(t, NULL, 0, t->body_ud);
  }
  t->sink_fed = true;
  if(!why)
    why = t->on_body(t, p, len, t->body_ud);
  if(!why)
    return true;
  sl__err_set(&t->err, SL_ERR_IO, 0, why);
  t->sink_failed = true;
  return false;
}

/* Counts, keeps and streams len bytes of the body; false to stop. */
static bool deliver(struct sl_task *t, const char *p, size_t len)
{
  t->resp.bytes += len;
  if((t->flags & SL_REQ_BUFFER_BODY) && sl_buf_append(&t->body, p, len)) {
    t->nomem = true;
    return false;
  }
  return !t->on_body || !len || feed(t, p, len);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
  struct sl_easy *x = ud;
  struct sl_task *t = x->task;
  size_t len = size * n;
  if(t->gated) { /* a response: its origin has a session now */
    t->gated = false;
    sl__origin_open(t->origin);
  }
  if(!sl__bw_pass(t, len))
    return CURL_WRITEFUNC_PAUSE; /* libcurl gives it again once unpaused */
  if(!t->body_seen && (t->flags & SL_REQ_FOLLOW_REDIRECTS))
    body_begins(t, x->curl);
  if(t->skip_body)
    return len;
  if(t->max_body && t->resp.bytes + len > t->max_body) {
    /* the response as far as the limit, then CURLE_WRITE_ERROR */
    if(deliver(t, p, t->max_body - t->resp.bytes))
      t->too_large = true;
    return 0;
  }
  return deliver(t, p, len) ? len : 0;
}

/* CURLOPT_HEADERFUNCTION, set only for requests with on_headers: at the
   blank line that ends a response's headers, on_headers is told, once
   per transfer (not for a 1xx, nor a redirect followed, nor trailers,
   nor a status that is none). */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
  struct sl_easy *x = ud;
  struct sl_task *t = x->task;
  struct sl_response_head head = {0, 0, NULL, -1, sl__task_cur_url(t)};
  size_t len = size * n;
  curl_off_t cl = -1;
  long v = 0;
  const char *why;
  if(t->head_given || !(len == 2 || len == 1) ||
     (p[0] != '\r' && p[0] != '\n'))
    return len;
  curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &head.status);
  /* on_headers is promised a real final status */
  if(head.status < 200 || !sl__status_is_http(head.status) ||
     followed(t, x->curl, head.status))
    return len;
  t->head_given = true;
  curl_easy_getinfo(x->curl, CURLINFO_HTTP_VERSION, &v);
  head.http_version = sl__http_version(v);
  curl_easy_getinfo(x->curl, CURLINFO_CONTENT_TYPE,
                    (char **)&head.content_type);
  curl_easy_getinfo(x->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
  head.content_length = cl;
  if(!sl__response_keep_headers(t, x->curl))
    t->nomem = true;
  why = t->on_headers(t, &head, t->headers_ud);
  if(!why)
    return len;
  sl__err_set(&t->err, SL_ERR_CANCELLED, 0, why);
  t->declined = true;
  return 0; /* CURLE_WRITE_ERROR */
}

/* The request body, from rx.body_file (open as t->body_fd). */
static size_t on_read(char *p, size_t size, size_t n, void *ud)
{
  struct sl_task *t = ((struct sl_easy *)ud)->task;
  ssize_t got = read(t->body_fd, p, size * n);
  if(got >= 0)
    return (size_t)got;
  t->read_errno = errno;
  return CURL_READFUNC_ABORT;
}

/* curl rewinds the body to send it again (a connection that turned out
   dead when reused). */
static int on_seek(void *ud, curl_off_t offset, int origin)
{
  struct sl_task *t = ((struct sl_easy *)ud)->task;
  return lseek(t->body_fd, (off_t)offset, origin) < 0 ? CURL_SEEKFUNC_FAIL
                                                      : CURL_SEEKFUNC_OK;
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

/* The receive buffer of each transfer.  libcurl before 8.7.0 allocates
   one per running transfer (CURLOPT_BUFFERSIZE, 16 KiB), by far the most
   of its memory for a transfer at 10 000 at once; later ones lend each
   transfer the multi handle's while it reads, so there the size only sets
   how much one read takes.  So on the older ones the buffers of all the
   transfers at once stay within BUFFERS (from 16 KiB each up to 256 at
   once, down to curl's least, 1 KiB, from 4096 at once): a response of a
   few hundred bytes still comes in one read, a larger one in more. */
#define BUFFERS (4L << 20)
static long buffer_size(unsigned cap)
{
  const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
  long size = BUFFERS / (long)cap;
  if(v->version_num >= 0x080700 || size >= CURL_MAX_WRITE_SIZE)
    return 0;
  return size < 1024 ? 1024 : size;
}

int sl__xfer_init(struct sl_xfer *xf, struct sl_loop *loop,
                  struct sl_origins *origins, const struct sl_options *o,
                  size_t max_pool)
{
  const char *ua = o->user_agent ? o->user_agent : "sluice/" SL_VERSION;
  memset(xf, 0, sizeof(*xf));
  xf->loop = loop;
  xf->origins = origins;
  xf->http_version = o->http_version;
  xf->proxied = o->proxy ? *o->proxy != '\0' : sl__proxy_in_env();
  xf->insecure = o->insecure;
  xf->max_redirects = o->max_redirects > 0 ? o->max_redirects : 10;
  xf->buffer_size = buffer_size(o->max_concurrency ? o->max_concurrency : 50);
  xf->max_pool = max_pool;
  /* as headers of our own, the User-Agent too: curl then skips
     formatting its line anew for every request (5 % of the instructions
     per request) */
  if(sl__ctx_hdrs_init(&xf->hdrs, ua, o->headers))
    return -1;
  errno = ENOMEM;
  if(!(xf->pool = calloc(max_pool, sizeof(*xf->pool))))
    return -1;
  if(o->ca_file && !(xf->ca_file = strdup(o->ca_file)))
    return -1;
  if(o->proxy && *o->proxy && !(xf->proxy = strdup(o->proxy)))
    return -1;
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

/* Which servers a handle's TLS connections trust.  The CA certificates
   are one file, the system's bundle or ca_file, never libcurl's CA
   directory as well: libcurl keeps the store it loaded for the next
   connection (CURLOPT_CA_CACHE_TIMEOUT) only when no directory is set,
   and Debian's libcurl sets one by default, so every TLS connection
   parsed the whole bundle again (a fifth of a crawl's CPU with a bundle
   of one certificate). */
static void set_trust(const struct sl_xfer *xf, CURL *e)
{
  curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
  if(xf->ca_file)
    curl_easy_setopt(e, CURLOPT_CAINFO, xf->ca_file);
  if(xf->insecure) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
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
  /* options that never change between requests are set once; curl never
     follows redirects itself (redirect.c does, hop by hop) */
  sl_loop_prepare(xf->loop, e, &x->sock);
  curl_easy_setopt(e, CURLOPT_PRIVATE, x);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
  curl_easy_setopt(e, CURLOPT_READDATA, x);
  curl_easy_setopt(e, CURLOPT_SEEKDATA, x);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  if(xf->buffer_size)
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, xf->buffer_size);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
  curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, on_seek);
  curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
  curl_easy_setopt(e, CURLOPT_PREREQDATA, x);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_SHARE, xf->origins->plain); /* origin.c */
  x->headers = xf->hdrs.list.head;
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
  if(xf->proxy)
    curl_easy_setopt(e, CURLOPT_PROXY, xf->proxy);
  else if(!xf->proxied) {
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_NOPROXY, "");
  }
  set_trust(xf, e);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                   xf->http_version == SL_HTTP_1_1
                       ? (long)CURL_HTTP_VERSION_1_1
                       : (long)CURL_HTTP_VERSION_2TLS);
  return x;
}

static void easy_free(struct sl_xfer *xf, struct sl_easy *x)
{
  curl_easy_cleanup(x->curl);
  sl__curlu_free(&x->url); /* after the handle that used it */
  sl__origin_handle_move(xf->origins, x->origin, NULL); /* after too */
  free(x);
}

static void easy_put(struct sl_xfer *xf, struct sl_easy *x)
{
  x->task = NULL;
  if(xf->npool < xf->max_pool) {
    xf->pool[xf->npool++] = x;
    return;
  }
  easy_free(xf, x);
}

void sl__xfer_free(struct sl_xfer *xf)
{
  if(xf->loop)
    sl_loop_flush(xf->loop); /* the stopped handles come back first */
  while(xf->npool)
    easy_free(xf, xf->pool[--xf->npool]);
  free(xf->pool);
  xf->pool = NULL;
  free(xf->ca_file);
  xf->ca_file = NULL;
  free(xf->proxy);
  xf->proxy = NULL;
  sl__ctx_hdrs_free(&xf->hdrs);
}

/* The request body as POST fields, or from the file (size known, else
   chunked). */
static void set_body(CURL *e, const struct sl_task *t)
{
  const struct sl_reqx *rx = &t->rx;
  if(rx->body_file >= 0) {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, NULL); /* the read callback */
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_size);
    return;
  }
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rx->body.len);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, rx->body.p ? rx->body.p : "");
}

/* How the request is sent: back to a plain GET first, which clears what
   a HEAD or a POST left in the handle, then this one's. */
static void set_method(struct sl_easy *x, const struct sl_task *t,
                       enum sl_method m)
{
  CURL *e = x->curl;
  if(x->method != SL_METHOD_GET)
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  if(x->custom)
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
  x->custom = false;
  x->method = m;
  if(m == SL_METHOD_HEAD)
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  if(m == SL_METHOD_POST ||
     (m == SL_METHOD_CUSTOM && (t->rx.has_body || t->rx.body_file >= 0)))
    set_body(e, t);
  if(m == SL_METHOD_CUSTOM) {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST,
                     sl__reqx_str(&t->rx, t->rx.method));
    x->custom = true;
  }
}

/* The header list and Accept-Encoding of a request that sets them, or of
   the first plain one after such a request. */
static void set_headers(const struct sl_xfer *xf, struct sl_easy *x,
                        const struct sl_task *t)
{
  const struct curl_slist *h = sl__reqx_headers(&t->rx, &xf->hdrs);
  const char *enc = t->rx.used ? sl__reqx_str(&t->rx, t->rx.encoding) : NULL;
  /* the request's own list may sit where the last one's was */
  if(h != x->headers || t->rx.own_headers) {
    curl_easy_setopt(x->curl, CURLOPT_HTTPHEADER, h);
    x->headers = h;
  }
  if(enc || x->encoding) {
    curl_easy_setopt(x->curl, CURLOPT_ACCEPT_ENCODING, enc);
    x->encoding = enc != NULL;
  }
  x->rx = t->rx.used;
}

/* The URL of the transfer, as a kept CURLU when curl takes it. */
static void set_url(struct sl_easy *x, const char *url)
{
  CURL *e = x->curl;
  if(sl__curlu_set(&x->url, url)) {
    if(!x->curlu)
      curl_easy_setopt(e, CURLOPT_CURLU, x->url.u);
    x->curlu = true;
  } else { /* curl says why the URL is bad (or is out of memory too) */
    if(x->curlu)
      curl_easy_setopt(e, CURLOPT_CURLU, NULL);
    x->curlu = false;
    curl_easy_setopt(e, CURLOPT_URL, url);
  }
}

/* on_headers's header function for a request that has one, or none
   (with HEADERDATA alone curl would write the headers through the body's
   write function). */
static void set_head_cb(struct sl_easy *x, const struct sl_task *t)
{
  CURL *e = x->curl;
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION,
                   t->on_headers ? on_header : NULL);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t->on_headers ? x : NULL);
  /* a proxy's CONNECT response is not the server's (set only here: it
     costs curl some 800 instructions per response) */
  curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS,
                   t->on_headers ? 1L : 0L);
  x->hdrfn = t->on_headers != NULL;
}

/* What the transfer's origin gives (origin.h): an https origin's TLS
   sessions, and on libcurl 8 a fresh connection when no idle one can be
   there to find; the sockets it opens are counted for the origin. */
static void set_origin(const struct sl_xfer *xf, struct sl_easy *x,
                       struct sl_origin *o, bool tls)
{
  CURLSH *share = sl__origin_share(o);
  bool fresh = o && sl__origin_fresh(o, tls);
  if(share && x->origin != o) {
    curl_easy_setopt(x->curl, CURLOPT_SHARE, share);
    sl__origin_handle_move(xf->origins, x->origin, o);
    x->origin = o;
  }
  if(fresh != x->fresh) {
    curl_easy_setopt(x->curl, CURLOPT_FRESH_CONNECT, fresh ? 1L : 0L);
    x->fresh = fresh;
  }
  x->sock.owner = o;
}

/* Gives the handle this request's options, each only when it differs
   from what the handle's last request had. */
static void easy_setup(const struct sl_xfer *xf, struct sl_easy *x,
                       struct sl_task *t, long timeout)
{
  CURL *e = x->curl;
  const struct curl_slist *resolve = sl__resolve_slist(t->resolve);
  const char *url = sl__task_cur_url(t);
  enum sl_method m = t->rx.used ? sl__reqx_method(&t->rx, t->flags)
                     : t->flags & SL_REQ_HEAD ? SL_METHOD_HEAD
                                              : SL_METHOD_GET;
  /* the URL was checked by sl__url_host: http or https */
  bool tls = (url[4] | 0x20) == 's';

  x->task = t;
  x->errbuf[0] = '\0';
  x->sends = 0;
  x->sock.socket_errno = 0;
  set_url(x, url);
  set_origin(xf, x, t->origin, tls);
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
                     resolve && !xf->proxied ? no_curl_resolver : NULL);
    x->resolve = resolve;
  }
  if(x->method != m || m >= SL_METHOD_POST || x->custom)
    set_method(x, t, m);
  if(t->rx.used || x->rx)
    set_headers(xf, x, t);
  if(!t->on_headers != !x->hdrfn)
    set_head_cb(x, t);
  /* HTTP/2 comes only over TLS: there a transfer waits for its host's
     connection in progress in case it multiplexes.  Not for http://,
     where curl would hold every transfer to a new host until the first
     response said HTTP/1.1. */
  if(x->tls != tls && xf->http_version != SL_HTTP_1_1) {
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, tls ? 1L : 0L);
    x->tls = tls;
  }
}

/* Opens the file the request body comes from, when it is sent.  0, or -1
   with t's error set (kind io). */
static int body_open(struct sl_task *t, enum sl_method m)
{
  const char *path = sl__reqx_str(&t->rx, t->rx.body_file);
  struct stat st;
  char msg[512];
  if(!path || m == SL_METHOD_GET || m == SL_METHOD_HEAD)
    return 0;
  t->body_fd = open(path, O_RDONLY | O_CLOEXEC);
  if(t->body_fd < 0 || fstat(t->body_fd, &st)) {
    snprintf(msg, sizeof(msg), "cannot read the body file '%s': %s", path,
             strerror(errno));
    sl__err_set(&t->err, SL_ERR_IO, 0, msg);
    return -1;
  }
  t->body_size = S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
  return 0;
}

static void body_close(struct sl_task *t)
{
  if(t->body_fd >= 0)
    close(t->body_fd);
  t->body_fd = -1;
}

int64_t sl__xfer_end(const struct sl_task *t, int64_t now)
{
  int64_t end = t->deadline > 0 ? t->deadline : 0;
  int64_t try_end = now + sl_ns_from_ms(t->try_timeout_ms);
  if(t->try_timeout_ms > 0 && (!end || try_end < end))
    end = try_end;
  return end;
}

/* The curl timeout of t at now (ms): to its end (sl__xfer_end) and the
   backstop; 0 without an end.  -1 with t's error set when the deadline
   has passed. */
static long time_left(struct sl_task *t, int64_t now, int64_t backstop)
{
  int64_t end = sl__xfer_end(t, now);
  if(!end)
    return 0;
  if(t->deadline > 0 && t->deadline - now < SL_NS_PER_MS) {
    sl__timeout_pending(t, now, "before its transfer started");
    return -1;
  }
  return (long)((end + backstop - now + SL_NS_PER_MS - 1) / SL_NS_PER_MS);
}

int sl__xfer_start(struct sl_xfer *xf, struct sl_task *t, int64_t now,
                   int64_t backstop)
{
  long timeout = time_left(t, now, backstop);
  struct sl_easy *x;
  int rc;

  if(timeout < 0 || body_open(t, t->rx.used ? sl__reqx_method(&t->rx, t->flags)
                                            : SL_METHOD_GET))
    return -1;
  x = easy_get(xf);
  if(!x) {
    body_close(t);
    sl__err_set(&t->err, SL_ERR_INTERNAL, CURLE_OUT_OF_MEMORY,
                "out of memory");
    return -1;
  }
  easy_setup(xf, x, t, timeout);
  rc = sl_loop_add(xf->loop, x->curl);
  if(rc) {
    easy_put(xf, x);
    body_close(t);
    sl__err_set(&t->err, SL_ERR_INTERNAL, 0, curl_multi_strerror(rc));
    return -1;
  }
  t->easy = x;
  t->started_at = now;
  t->body_seen = t->skip_body = t->bw_paused = t->head_given = false;
  if(t->origin) {
    sl__origin_running(t->origin, 1);
    t->gated = t->origin->tls && !sl__origin_gate_open(t->origin);
  }
  if(!t->hopping) { /* a try begins */
    t->attempts++;
    t->try_start = now;
    t->resp.timing.queued_ms = sl_ns_to_ms(now - t->created_at);
  }
  t->hopping = false;
  return 0;
}

CURLcode sl__xfer_unpause(struct sl_task *t, CURL **easy)
{
  *easy = t->easy->curl;
  return curl_easy_pause(*easy, CURLPAUSE_CONT);
}

/* What came of t's transfer on x is kept: the response so far, and the
   requests curl sent again by itself. */
static void settle(struct sl_easy *x, struct sl_task *t)
{
  sl__response_keep(t, x->curl);
  /* libcurl sends a request again on a new connection when a kept-alive
     one closed before answering, without telling: an attempt too */
  if(x->sends > 1)
    t->attempts += x->sends - 1;
}

/* t lets go of its transfer's handle x: the gate of its origin opens if
   it waited for this one (origin.h). */
static void detach(struct sl_easy *x, struct sl_task *t)
{
  if(t->origin) {
    sl__origin_running(t->origin, -1);
    if(t->gated)
      sl__origin_open(t->origin);
  }
  t->gated = false;
  t->easy = NULL;
  x->task = NULL;
  body_close(t);
}

void sl__xfer_stop(struct sl_xfer *xf, struct sl_task *t)
{
  struct sl_easy *x = t->easy;
  if(!x)
    return;
  settle(x, t); /* what came before the cancel */
  detach(x, t);
  /* the handle goes back to the pool once curl has let it go
     (sl__xfer_removed): closing its socket waits for the loop */
  sl_loop_remove_later(xf->loop, x->curl);
}

void sl__xfer_removed(struct sl_xfer *xf, CURL *easy)
{
  struct sl_easy *x = NULL;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
  easy_put(xf, x);
}

void sl__xfer_expire(struct sl_xfer *xf, struct sl_task *t, int64_t now)
{
  long ms = (long)((now - t->started_at) / SL_NS_PER_MS);
  char detail[128];
  sl__xfer_stop(xf, t);
  /* curl's words, for the same event */
  if(t->resp.timing.connect_ms > 0)
    snprintf(detail, sizeof(detail),
             "Operation timed out after %ld milliseconds with %llu bytes "
             "received",
             ms, (unsigned long long)t->resp.bytes);
  else
    snprintf(detail, sizeof(detail),
             "Connection timed out after %ld "
             "milliseconds",
             ms);
  sl__timeout_transfer(t, detail);
}

struct sl_task *sl__xfer_done(struct sl_xfer *xf, CURL *easy, CURLcode rc,
                              enum sl_error_kind *kind)
{
  struct sl_easy *x = NULL;
  struct sl_task *t;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
  t = x->task;
  settle(x, t);
  *kind = sl__response_outcome(t, rc, x->errbuf, easy, x->sock.socket_errno);
  if(*kind == SL_ERR_TIMEOUT)
    sl__timeout_transfer(t, t->err.e.message); /* which timeout, and when */
  detach(x, t);
  easy_put(xf, x);
  return t;
}
