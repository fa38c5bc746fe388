/*
 * sluice.h - the public API of libsluice, an asynchronous HTTP fetcher.
 *
 * One libev loop drives libcurl's multi_socket API.  Every request is a
 * *task* with the semantics of a Python asyncio task: it is created and
 * scheduled at once by sl_fetch(), waits in PENDING for its limits, runs in
 * curl (RUNNING) and ends DONE, FAILED or CANCELLED.  Done callbacks run
 * exactly once, on the loop, after the state is final.
 *
 * Threading: a context and its tasks belong to the thread that runs its
 * loop.  No function here may be called from another thread.
 *
 * Ownership: sl_fetch() returns a task holding one reference for the
 * caller; sl_task_free() drops it.  A task whose reference was dropped
 * still runs to completion and still runs its done callbacks (a detached
 * task); its memory is reclaimed after that.  sl_ctx_free() cancels and
 * frees every task that is left.
 *
 * NULL handles, one rule for every function: free, cancel and "off"
 * functions do nothing; functions that return an SL_E* code return
 * SL_EINVAL; every other function returns the zero of its type (NULL, 0,
 * false, SL_PENDING) and writes nothing.
 *
 * Errors are values: functions that can fail return a negative SL_E* code
 * (see sl_strerror()); a failed request is a task in state FAILED whose
 * struct sl_error says what went wrong.  HTTP statuses >= 400 are
 * responses, not errors, unless the request sets SL_REQ_FAIL_ON_HTTP_ERROR.
 */
#ifndef SLUICE_H
#define SLUICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SL_API __attribute__((visibility("default")))
#else
#define SL_API
#endif

struct ev_loop; /* libev; include <ev.h> to use one */

typedef struct sl_ctx sl_ctx;
typedef struct sl_task sl_task;
typedef struct sl_group sl_group;
typedef struct sl_as_completed sl_as_completed;
typedef struct sl_timer sl_timer;
typedef struct sl_queue sl_queue;
typedef struct sl_waiter sl_waiter;

/* Return codes of API calls (not request outcomes): name, value, the
   message sl_strerror() gives.  Each list below is the one place its
   values, names and messages come from (libuv's UV_ERRNO_MAP). */
#define SL_RC_MAP(XX)                                                         \
  XX(OK, 0, "success")                                                        \
  XX(EINVAL, -1, "invalid argument")                                          \
  /* asyncio's InvalidStateError: the task is not final */                    \
  XX(ESTATE, -2, "the task is not in a state that allows this")               \
  XX(ENOMEM, -3, "out of memory")                                             \
  /* a nested wait from a callback, or the loop belongs to the caller */      \
  XX(EBUSY, -4,                                                               \
     "not allowed here (inside a callback, or on a borrowed "                 \
     "loop)")                                                                 \
  XX(ENOENT, -5, "not found, or nothing left")                                \
  XX(EINTERNAL, -6, "internal error")                                         \
  /* gather, group wait */                                                    \
  XX(EFAILED, -7, "a task of the set failed")                                 \
  /* wait, as_completed */                                                    \
  XX(ETIMEOUT, -8, "the wait's own timeout passed")                           \
  /* sl_queue_put: maxsize items wait */                                      \
  XX(EFULL, -9, "the queue is full")

enum sl_rc {
#define SL_XX(name, value, msg) SL_##name = value,
  SL_RC_MAP(SL_XX)
#undef SL_XX
};

/* Task states: name, the name sl_state_name() gives.  PENDING and
   RUNNING are live; the rest are final. */
#define SL_STATE_MAP(XX)                                                      \
  XX(PENDING, "pending")     /* created; waiting for its limits */            \
  XX(RUNNING, "running")     /* inside curl */                                \
  XX(DONE, "done")           /* a response came (any status, unless asked) */ \
  XX(FAILED, "failed")       /* no usable response: see sl_task_error() */    \
  XX(CANCELLED, "cancelled") /* sl_task_cancel() or a context-wide cancel */

enum sl_state {
#define SL_XX(name, str) SL_##name,
  SL_STATE_MAP(SL_XX)
#undef SL_XX
};

/* What went wrong with a request: name, the name sl_error_kind_name()
   gives (the "kind" of the command line's records). */
#define SL_ERROR_KIND_MAP(XX)                                                 \
  XX(NONE, "none")                                                            \
  XX(INVALID_URL, "invalid_url") /* malformed, or not http/https */           \
  XX(DNS, "dns")                 /* the name did not resolve */               \
  XX(CONNECT, "connect")         /* refused, unreachable */                   \
  XX(TLS, "tls")                 /* handshake or certificate */               \
  XX(TIMEOUT, "timeout")         /* the request's deadline passed */          \
  XX(HTTP, "http")               /* >= 400 with SL_REQ_FAIL_ON_HTTP_ERROR */  \
  XX(TOO_LARGE, "too_large")     /* the body exceeded max_body */             \
  XX(CANCELLED, "cancelled")     /* message: the cancel message */            \
  XX(IO, "io")                   /* the connection broke: reset, cut */       \
  XX(PROTOCOL, "protocol")       /* the server spoke something not HTTP */    \
  XX(REDIRECT, "redirect")       /* too many, or not to http/https */         \
  XX(INTERNAL, "internal")       /* out of memory or descriptors, a bug */    \
  /* a method, header, body or user agent that cannot be sent as given */     \
  XX(INVALID_REQUEST, "invalid_request")                                      \
  /* refused by the origin's robots.txt (sl_options.robots): no request */    \
  XX(ROBOTS, "robots")

enum sl_error_kind {
#define SL_XX(name, str) SL_ERR_##name,
  SL_ERROR_KIND_MAP(SL_XX)
#undef SL_XX
};

struct sl_error {
  enum sl_error_kind kind;
  int code;            /* the CURLcode where curl reported it, else 0 */
  const char *message; /* never NULL; valid while the task lives */
};

/* Request flags (struct sl_request.flags). */
/* keep the body in memory */
#define SL_REQ_BUFFER_BODY (1u << 0)
/* keep the response headers */
#define SL_REQ_KEEP_HEADERS (1u << 1)
/* a status >= 400 makes the task FAILED with kind http */
#define SL_REQ_FAIL_ON_HTTP_ERROR (1u << 2)
/* follow redirects (301, 302, 303, 307, 308 with a Location), up to
   max_redirects; see "Redirects" below */
#define SL_REQ_FOLLOW_REDIRECTS (1u << 3)
/* HEAD instead of GET (the same as method "HEAD") */
#define SL_REQ_HEAD (1u << 4)

/* sl_request.max_redirects: a redirect is an error (kind redirect) */
#define SL_REDIRECTS_NONE (-1L)

/*
 * The body as it arrives, for a caller that streams it (to a file, a
 * parser).  cb(t, data, len, ud) gets each piece in order, decoded when
 * the request set accept_encoding, and only the pieces of the response
 * the task ends with: never those of a redirect that is followed, nor of
 * a 1xx.  When a retry starts over after pieces were given, cb(t, NULL,
 * 0, ud) comes first: forget what came before.  It runs on the loop,
 * inside libcurl's write callback: it must not wait, nor create, cancel
 * or free tasks (libcurl refuses calls into itself from there).  Return
 * NULL to go on; any other string stops the transfer, and the task fails
 * with kind io and that message (copied at once).  max_body and
 * SL_REQ_BUFFER_BODY apply as well.
 */
typedef const char *(*sl_body_cb)(sl_task *t, const char *data, size_t len,
                                  void *ud);

/* What is known of a response once its headers are in. */
struct sl_response_head {
  long status;              /* 200 and up: never a 1xx */
  int http_version;         /* 10, 11, 20, 30 */
  const char *content_type; /* NULL when the server sent none */
  int64_t content_length;   /* -1 when not given */
  const char *url;          /* the URL that answered (after redirects) */
};

/*
 * The headers of a response as they arrive, before any of its body:
 * cb(t, head, ud) runs once per response, and only for responses the task
 * may end with: never for a 1xx, nor for a redirect that sluice follows
 * (SL_REQ_FOLLOW_REDIRECTS), but again for a retry's response.  Inside
 * it, sl_task_header() and sl_task_header_next() read this response's
 * headers (a request with on_headers keeps them, as with
 * SL_REQ_KEEP_HEADERS); head and its strings are valid during the call.
 * It runs on the loop inside libcurl, with on_body's rules: it must not
 * wait, nor create, cancel or free tasks.  Return NULL to go on; any other
 * string declines the response: the transfer stops at once (no body byte
 * is read or given to on_body), and the task ends CANCELLED, kind
 * cancelled, with that message (copied), keeping the status and headers
 * (sl_task_response answers SL_OK).  A cancel, unlike on_body's stop,
 * because declining is the caller's choice, not a failure: a group does
 * not count it, nothing is retried.
 */
typedef const char *(*sl_headers_cb)(sl_task *t,
                                     const struct sl_response_head *head,
                                     void *ud);

/*
 * A request.  Zero-initialise it and set what you need: all zero is a
 * GET of url with the context's headers.  sl_fetch() copies what it
 * keeps (strings, header lines, body bytes), so the struct and
 * everything it points to may be reused at once.
 *
 * What is sent (curl's rules, as its command line has them):
 * - method: any HTTP token ("PUT", "DELETE", "PROPFIND"), sent as given
 *   (case matters).  NULL: "GET", or "POST" when a body is given, or
 *   "HEAD" with SL_REQ_HEAD.  "HEAD" is the same as SL_REQ_HEAD: no body
 *   is read.  Only GET, HEAD, PUT, DELETE, OPTIONS and TRACE are retried.
 * - headers: a NULL-terminated array of lines sent after the context's
 *   (sl_options.headers).  "Name: value" sends the header, replacing
 *   every line of that name from the context, the user agent and the
 *   referer (two lines of one name in this array are both sent);
 *   "Name:" removes that header, one of the context's or one libcurl
 *   adds itself (Accept, Host, Content-Type, Expect); "Name;" sends it
 *   with an empty value.
 * - body (body_len bytes, copied; may hold any byte) or body_file (a
 *   file name, opened when the transfer starts and streamed from there,
 *   so a large file is never in memory; a file that cannot be opened
 *   fails the task with kind io, naming it).  libcurl adds
 *   "Content-Type: application/x-www-form-urlencoded" unless a header
 *   line sets or removes it, and "Expect: 100-continue" for bodies over
 *   1 MiB.  body NULL with body_len 0 is no body; body "" with body_len
 *   0 is an empty one (Content-Length: 0).
 * - user_agent: NULL the context's; "" none.  referer: NULL none.
 * - accept_encoding: NULL sends no Accept-Encoding and delivers the body
 *   as the server sent it; "" asks for every coding libcurl can decode
 *   (gzip, deflate, and br and zstd where it was built with them); any
 *   other value is sent as it is.  Either way a coded body is decoded,
 *   and bytes, max_body and on_body count the decoded bytes: a
 *   decompression bomb stops at max_body.
 * A request that breaks these rules (not a token, a line break in a
 * value, a header line without ':' or ';', both body and body_file, a
 * body with HEAD) fails on the loop with kind invalid_request, as a bad
 * URL does, never in sl_fetch().
 *
 * Redirects (SL_REQ_FOLLOW_REDIRECTS): sluice follows them itself, each
 * hop a new transfer that goes through the name cache and the limits of
 * its own host, as any request does.  Only to http:// and https://:
 * a Location with any other scheme (file:, ftp:, ...) or one that does
 * not parse ends the task FAILED, kind redirect, its message naming the
 * target; so does one redirect more than max_redirects.  303, and 301
 * and 302 after a POST, turn the request into a GET without its body;
 * 307 and 308 send it again as it was.  Once a hop leaves the origin
 * (scheme, host and port) of the URL, the Authorization and Cookie
 * header lines are no longer sent, for the rest of the task; the user
 * and password of the URL are not either (the target has only those its
 * Location gives).  A retry repeats the last hop.
 */
struct sl_request {
  const char *url;         /* required: http:// or https:// */
  unsigned flags;          /* SL_REQ_* */
  long timeout_ms;         /* the task's deadline, from sl_fetch(): time
                              waiting for its name and limits, retries and
                              redirects included; 0 = none */
  long try_timeout_ms;     /* each transfer's (a try, or one hop of its
                              redirects), from when it starts: connecting,
                              sending, the whole response; a try that
                              times out may be retried (sl_options.retries)
                              within timeout_ms; 0 = none.  A timeout's
                              message names the one that passed and its
                              value ("the try timeout (2000 ms)", "the
                              request's deadline (10000 ms)") */
  long connect_timeout_ms; /* 0 = curl's default */
  size_t max_body;         /* bytes; 0 = no limit; over it: too_large,
                              and the response is kept as far as the
                              limit (status, headers, the first max_body
                              bytes buffered and given to on_body) */
  long max_redirects;      /* with SL_REQ_FOLLOW_REDIRECTS: 0 = the
                              context's (sl_options.max_redirects);
                              SL_REDIRECTS_NONE: a redirect fails */
  void *userdata;          /* returned by sl_task_userdata() */

  const char *method;         /* NULL: GET, POST with a body, HEAD */
  const char *const *headers; /* "Name: value" lines, NULL-terminated */
  const void *body;           /* bytes to send; NULL: none */
  size_t body_len;
  const char *body_file;       /* or a file to send; NULL: none */
  const char *user_agent;      /* NULL: the context's; "": none */
  const char *referer;         /* NULL: none */
  const char *accept_encoding; /* NULL: none, no decoding; "": all */
  sl_body_cb on_body;          /* NULL: the body is only counted */
  void *body_ud;               /* for on_body */
  sl_headers_cb on_headers;    /* NULL: none */
  void *headers_ud;            /* for on_headers */

  /* Where the task waits for its name or a limit (a slot of its host, a
     global slot, a rate's token, the end of its host's pause), tasks
     with a lower priority go first, and tasks of one priority in the
     order they came (FIFO).  0 is the default; a breadth-first crawler
     gives a page its depth, so each host fetches depth d before d + 1.
     Priority orders waiting tasks only: it never holds a task back while
     a limit has room. */
  int priority;
};

/* Timing of a response, in milliseconds.  "The start" is when the
   transfer of the try that ended the task started; after redirects the
   times run on from there to the last hop's (so the waits of each hop for
   its name and limits are in them). */
struct sl_timing {
  double queued_ms;  /* sl_fetch() until the start */
  double dns_ms;     /* sluice's own lookup of the (last) host name: the
                        part of the wait spent on it; 0 when cached */
  double connect_ms; /* from the start: connected (TCP) */
  double ttfb_ms;    /* from the start: first response byte */
  double total_ms;   /* from the start: done (or cancelled) */
  double tls_ms;     /* from the start: TLS handshake done; 0 without
                        TLS or on a reused connection */
};

/* A response.  Pointers stay valid while the task lives. */
struct sl_response {
  long status;               /* HTTP status code */
  int http_version;          /* 10, 11, 20, 30 */
  uint64_t bytes;            /* body bytes received (after decoding) */
  const char *body;          /* with SL_REQ_BUFFER_BODY, else NULL;
                                NUL-terminated for convenience */
  size_t body_len;           /* == bytes when buffered */
  const char *content_type;  /* NULL when the server sent none */
  const char *effective_url; /* after redirects */
  const char *redirect_url;  /* Location of a 3xx not followed, or NULL */
  long redirects;            /* redirects followed */
  bool reused_connection;    /* the connection came from the cache */
  struct sl_timing timing;
  /* the address connected to (the server's, or the proxy's), as text;
     NULL when no connection was made */
  const char *ip;
};

/*
 * Context options.  Zero-initialise; every zero means "the default".
 */
/* Which HTTP sluice speaks (sl_options.http_version). */
enum sl_http_version {
  /* HTTP/1.1 for http:// URLs; over TLS, HTTP/2 when the server offers it
     (ALPN), else HTTP/1.1.  HTTP/2 transfers to one host are multiplexed
     as streams over one connection (per_host caps the streams at once,
     like transfers): while a host's first TLS connection is being set up,
     its other transfers wait for it rather than opening more, and open
     their own only if it turns out to be HTTP/1.1. */
  SL_HTTP_AUTO = 0,
  SL_HTTP_1_1 /* HTTP/1.1 only, also over TLS */
  /* No cleartext HTTP/2 (h2c, prior knowledge): libcurl 7.88 fails every
     request that reuses such a connection (curl issue 10634). */
};

/* What the per-host limits (per_host, host_rate, Retry-After pauses,
   sl_host_limits_set) key on: a politeness key (sl_options.politeness). */
enum sl_politeness {
  SL_POLITE_HOST = 0, /* "host:port", the name as written in the URL (lower
                         case): localhost and 127.0.0.1 are two keys */
  SL_POLITE_DOMAIN,   /* the host's registrable domain from the Public
                         Suffix List (libpsl): www.example.co.uk and
                         img.example.co.uk are "example.co.uk"; an address,
                         "localhost" or a public suffix is its own; every
                         port */
  SL_POLITE_IP        /* the address the name resolved to (the first of
                         sluice's answer; an address as written is
                         itself), as Scrapy's per-IP mode: names that
                         share a server share its limits; every port.
                         With a proxy, names are the proxy's to resolve:
                         the host name then */
};

/* Proxies: with sl_options.proxy NULL, libcurl's environment variables
   (http_proxy, https_proxy, all_proxy, no_proxy, and their upper-case
   forms but HTTP_PROXY) are honoured.  sl_ctx_new() looks for them once.
   When a proxy is set (there or in sl_options.proxy), sluice leaves names
   to the proxy, and to libcurl's own resolver for no_proxy hosts and the
   proxy's name (fixed answers in sl_options.resolve still apply); when
   none is, names are resolved as described below.  A variable that is
   set but is not a proxy libcurl can use (http_proxy='::::') makes
   sl_ctx_new() fail with EINVAL when sl_options.proxy is NULL;
   sl_proxy_env_check() says which. */
struct sl_options {
  struct ev_loop *loop;        /* NULL: sluice uses EV_DEFAULT and owns running
                                  it (sl_run, sl_task_wait); otherwise the caller
                                  runs this loop and sluice only adds watchers
                                  (see "Embedding" below) */
  unsigned max_concurrency;    /* global cap on RUNNING tasks; 0 = 50 */
  unsigned max_pooled_handles; /* easy handles kept for reuse; 0 = cap */
  const char *user_agent;      /* NULL: "sluice/VERSION"; "": none; a CR or
                                  LF in it: sl_ctx_new fails, EINVAL */
  enum sl_http_version http_version; /* 0 = SL_HTTP_AUTO */
  const char *ca_file; /* PEM file of the CA certificates to trust for
                          https:// instead of the system's bundle (NULL:
                          libcurl's default CA file).  One file only:
                          libcurl's CA directory is not read, so the
                          certificates are loaded once for all
                          connections, not once per connection */
  /* asyncio's "Task exception was never retrieved": a FAILED task whose
     error nobody read (sl_task_error, sl_task_response, gather, a
     group's errors) is reported when it is reclaimed or at
     sl_ctx_free().  warn NULL: a line on stderr.  quiet: no report. */
  void (*warn)(const char *message, void *ud);
  void *warn_ud;
  bool quiet;

  /* Politeness.  A task leaves PENDING only when its host (its
     politeness key: by default host:port, the name as written in the
     URL) has a free slot and is not paused, the host's rate and the
     global rate allow a request, and a global slot (max_concurrency) is
     free.  Tasks waiting on one host never hold a global slot, so a slow
     host does not hold up the others. */
  enum sl_politeness politeness; /* 0 = SL_POLITE_HOST */
  unsigned per_host;             /* transfers at once per host; 0 = no limit */
  const char *rate;              /* global request rate, "N/s", "N/m" or "N/h"
                                    (N may be a decimal); NULL = none */
  const char *host_rate;         /* the same, per host; NULL = none */
  unsigned burst;                /* bucket size of both rates; 0 = 1 (even
                                    spacing) */
  /* Retries of connect errors, timeouts and 408, 429, 500, 502, 503, 504
     for idempotent methods, with exponential backoff and full jitter,
     bounded by the task's deadline.  A 429 or 503 with Retry-After pauses
     the whole host until then, retries or not, but for retry_max_delay_ms
     at most (and a retry that would have to wait longer is not made); a
     task whose host is paused past its own deadline fails at once, kind
     timeout. */
  unsigned retries;        /* retries after the first try; 0 = none */
  long retry_max_delay_ms; /* cap of one backoff wait, and of a
                              Retry-After pause; 0 = 30 s */
  /* Bandwidth caps: body bytes received per second, over all transfers
     together and for each host on its own; 0 = none, at most 2^60.  A
     transfer that finds a cap used up is paused (libcurl stops reading
     its socket, so TCP slows the server down) until the cap allows more.
     Over any window of W seconds a cap lets through at most rate x W +
     rate / 20 (the bucket: 50 ms of the rate) + 16 KiB (libcurl hands a
     body over in pieces of up to that).  Counted as sl_response.bytes
     counts them: decoded bodies, no headers. */
  uint64_t bandwidth;
  uint64_t host_bandwidth;

  /* Names are resolved by c-ares on the loop (never by a thread), A and
     AAAA, /etc/hosts first; answers are cached for their TTL (1 s to
     1 h), failures for 2 s, and one query serves every request to a
     name.  IP literals skip DNS. */
  const char *dns_servers; /* "ADDR[:PORT],..." (IPv6 as [ADDR]:PORT)
                              instead of the system's (/etc/resolv.conf);
                              NULL or "" = system; checked by
                              sl_ctx_new */
  long dns_timeout_ms;     /* the longest a lookup takes, its 2 tries
                              told (the first gets a third of it); then
                              a dns error, "timeout"; 0 = 5000 */
  /* Fixed answers, curl's --resolve syntax "HOST:PORT:ADDR[,ADDR]...",
     a NULL-terminated array; they win over DNS. */
  const char *const *resolve;

  /* Every request's.  headers: lines sent with every request after the
     User-Agent, as sl_request.headers takes them ("Name: value",
     "Name:" to remove one libcurl adds, "Name;"), NULL-terminated; a
     "User-Agent" line replaces user_agent, lines of one name are all
     sent, and a request's own lines (its user_agent, referer, headers)
     replace these by name; a bad line: sl_ctx_new fails, EINVAL. */
  const char *const *headers;
  long max_redirects; /* for requests that follow redirects and leave
                         theirs 0; 0 = 10 */
  const char *proxy;  /* NULL: from the environment (see Proxies);
                         "": none, whatever the environment says; else
                         as libcurl's CURLOPT_PROXY takes it
                         ("http://host:port", "socks5h://host:1080") */
  bool insecure;      /* https:// without checking the server's
                         certificate or name (curl -k) */

  /* robots.txt (RFC 9309), see "robots.txt" below: obey each origin's */
  bool robots;
  long robots_timeout_ms; /* the deadline of one robots.txt fetch;
                             0 = 30000 */
  long robots_retry_ms;   /* an unreachable robots.txt disallows every path
                             of its origin this long before it is asked
                             for again, doubling with each unreachable
                             answer in a row up to 24 h; 0 = 60000 */
};

/*
 * robots.txt.  With sl_options.robots, before the first request to an
 * origin (scheme, host and port) sluice fetches its /robots.txt once, with
 * an internal task that goes through the name cache and the limits as any
 * task does (ahead of the others: the lowest priority), follows up to 5
 * redirects (RFC 9309 2.3.1.2) and reads at most 512 KiB.  Tasks of the
 * origin wait for it (PENDING, stage ROBOTS; their deadlines run).  The
 * rules are those of the groups naming the product token of the task's
 * User-Agent ("sluice" of "sluice/0.1 (+url)": the request's user_agent,
 * else a User-Agent header line, else the context's), or of the "*"
 * groups when none does: the longest matching Allow or Disallow pattern
 * decides, Allow winning a tie, with "*" and a final "$".  A URL they
 * refuse ends FAILED, kind robots, without a request; its message names
 * the URL's path, the origin, the product token and the rule that
 * matched ("/private/a is disallowed by http://a.example:80/robots.txt
 * for \"sluice\": Disallow: /private/").  The answer decides:
 * - 2xx: its rules, kept 24 hours; then the next task of the origin has
 *   it fetched again;
 * - 3xx that is not followed, 4xx but 429, or a redirect that fails
 *   (more than 5, not to http or https): no robots.txt, every path
 *   allowed, for 24 hours;
 * - 429, 5xx (after sl_options.retries, as any request), or no answer
 *   (name, connection, TLS, timeout: "unreachable"): every path of the
 *   origin disallowed for robots_retry_ms, 60 s by default, doubling
 *   with each unreachable answer in a row up to 24 h; the first task
 *   after that has it fetched again.  A 503 with Retry-After also pauses
 *   the host, as any answer does.
 * The rules are kept per origin and product token for the run: one
 * fetch per origin (and per product token, when requests send several),
 * and memory for each origin's rules.  A Crawl-delay in the chosen group
 * becomes the limits of the tasks' politeness key, as sl_host_limits_set()
 * gives them: one transfer at a time, at least Crawl-delay seconds
 * between two request starts (the robots.txt request counting as the
 * first), unless the key's limits are stricter already (its concurrency
 * 1 and an interval at least as long; a longer interval is kept).  It
 * applies again, as a floor, to a key whose limits were changed since.
 * A redirect hop is checked against the robots.txt of its own origin.
 * The robots.txt tasks are the context's: sl_ctx_stats() counts them and
 * sl_ctx_foreach_task() lists them (named "robots.txt", userdata NULL).
 * A group does not count a task refused by robots.txt as a failure (its
 * policy is for the site failing, not for the crawler's manners).
 */

/*
 * Embedding: with sl_options.loop set, the caller runs the loop
 * (ev_run) and sluice's work happens in its watchers' callbacks.  The
 * loop is kept alive by sluice only while it has work: a live (PENDING
 * or RUNNING) task, a done or other callback due, or a timer the caller
 * asked for (sl_call_later); nothing else of sluice's keeps ev_run()
 * going: not connections idle in libcurl's cache, curl's or c-ares's
 * timers, a lookup whose task was cancelled, an as_completed timeout,
 * nor signal watchers.  So ev_run(loop, 0) returns once the work is
 * done, as sl_run() does.  One iteration of sluice's does a bounded
 * amount of work (a few hundred queued callbacks at most, then the
 * caller's watchers get their turn), so a caller's timers keep their
 * time while thousands of requests run.  The calls that wait (sl_run,
 * sl_task_wait, sl_gather, sl_wait, sl_group_wait, sl_as_completed_next,
 * sl_queue_join) run the loop themselves, and only when sluice owns it
 * and no callback of the loop is running; on a caller's loop they return
 * SL_EBUSY, and each has a callback form that works on any loop:
 * ev_run() itself, sl_task_on_done, sl_gather_start, sl_wait_start,
 * sl_group_on_done, sl_as_completed_new with a callback, and a queue's
 * on_join.  Everything else works the same on either loop.
 */

/* Checks a rate as sl_options.rate takes it.  true, or false with *why
   (a static message) set. */
SL_API bool sl_rate_check(const char *rate, const char **why);

/* Checks a header line as sl_request.headers and sl_options.headers take
   it, and a method as sl_request.method does (what would otherwise fail
   the task with kind invalid_request, or sl_ctx_new).  true, or false
   with *why (a static message) set; why may be NULL. */
SL_API bool sl_header_check(const char *line, const char **why);
SL_API bool sl_method_check(const char *method, const char **why);

/* Checks the proxy variables of the environment as sl_ctx_new() does:
   true when each one set is a proxy libcurl can use, else false with
   *var (the variable's name) and *why (a static message) set.  Either
   may be NULL. */
SL_API bool sl_proxy_env_check(const char **var, const char **why);

/* ---- context ---------------------------------------------------------- */

/* A new context, or NULL: errno EINVAL for a bad option (a malformed
   rate, dns_servers or resolve entry that does not parse, a line break
   in user_agent or proxy, a bad header line, a negative max_redirects,
   a bandwidth over 2^60),
   ENOMEM, or EIO when curl, c-ares or libev failed to start.  opts may
   be NULL.

   Debugging: with SLUICE_TRACE=stages in the environment when the
   context is made, every change of a task's stage (NEW, ROBOTS,
   RESOLVING, GATE_QUEUED, PAUSED, HOST_QUEUED, HOST_RATE, GLOBAL_QUEUED,
   GLOBAL_RATE, BACKOFF, RUNNING, DONE, FAILED, CANCELLED) is printed on
   stderr as
   "sluice: NAME FROM -> TO (URL)". */
SL_API sl_ctx *sl_ctx_new(const struct sl_options *opts);

/* Cancels every live task (their done callbacks run, with CANCELLED, from
   inside this call), then frees every task, the queues, groups,
   as_completed iterators and timers left, and the context.  Tasks (and
   the rest) the caller still holds become invalid.  NULL is a no-op. */
SL_API void sl_ctx_free(sl_ctx *ctx);

/* The libev loop the context uses. */
SL_API struct ev_loop *sl_ctx_loop(const sl_ctx *ctx);

/* Runs the loop until no task is live, no reader keeps it going
   (sl_reader_keep_alive) and every done callback has run.  SL_EBUSY when
   the loop belongs to the caller or when called from inside a done
   callback.  Blocking: on a caller's loop, ev_run(loop, 0) returns in the
   same way (see Embedding). */
SL_API int sl_run(sl_ctx *ctx);

/* Live tasks (PENDING or RUNNING) now, and tasks that reached each final
   state since the context was created. */
struct sl_stats {
  uint64_t created, pending, running, done, failed, cancelled;
  uint64_t dns_queries; /* names looked up (A + AAAA count once) */
};
SL_API void sl_ctx_stats(const sl_ctx *ctx, struct sl_stats *out);

/* ---- politeness -------------------------------------------------------- */

/* A host's own limits, in place of the context's (per_host, host_rate)
   for one politeness key. */
struct sl_host_limits {
  unsigned max_conns; /* transfers at once; 0: the context's per_host */
  const char *rate;   /* "N/s", "N/m", "N/h"; NULL: the context's
                         host_rate; "": none */
  long interval_ms;   /* or: at least this long between two request starts
                         (robots.txt's Crawl-delay), whatever
                         sl_options.burst; 0: see rate */
  long pause_ms;      /* pause the host for this long from now (a pause
                         already running that ends later stays); 0: none */
};

/* Gives the host of key (as sl_task_host_key() says it, or written by
   hand in the form sl_options.politeness gives: "host:port", a domain,
   an address; case does not matter) limits of its own, which it keeps
   from now on, whether tasks use it or not, until l is NULL: then it
   goes back to the context's.  Tasks waiting for the host are admitted
   at once where a larger limit has room; a smaller one lets the running
   finish.  A rate starts with its burst's tokens.  SL_OK; SL_EINVAL (no
   key, a bad rate, both rate and interval_ms); SL_ENOMEM.  Memory: one
   entry per key given limits, until they are cleared. */
SL_API int sl_host_limits_set(sl_ctx *ctx, const char *key,
                              const struct sl_host_limits *l);

/* The politeness key of t's host (of its last hop, after redirects), for
   sl_host_limits_set() and sl_host_stats(); NULL before t was admitted
   that far (its name resolved).  Valid while t lives. */
SL_API const char *sl_task_host_key(const sl_task *t);

/* Where one host stands (a host is a politeness key, see
   sl_options.politeness). */
struct sl_host_stats {
  size_t waiting;   /* its tasks that are PENDING (queued, waiting for a
                       rate or its pause, backing off) */
  size_t running;   /* its tasks that are RUNNING */
  size_t max_conns; /* its concurrency limit; 0: none */
  long paused_ms;   /* what is left of its Retry-After pause; 0: none */
};

/* Fills *out for key: SL_OK; SL_ENOENT (*out zeroed) when sluice keeps
   nothing for it (no task of it is live, and it owes no wait). */
SL_API int sl_host_stats(sl_ctx *ctx, const char *key,
                         struct sl_host_stats *out);

/* ---- tasks ------------------------------------------------------------ */

/*
 * Creates a task for req and schedules it at once.  Returns before any
 * I/O.  Returns NULL only when ctx or req is NULL (errno EINVAL) or memory
 * ran out (ENOMEM); a bad URL is not an error here: the task fails with
 * kind invalid_url on the loop, like any other failure, so every request
 * yields exactly one outcome.
 */
SL_API sl_task *sl_fetch(sl_ctx *ctx, const struct sl_request *req);

/* Drops the caller's reference.  A live task keeps running (detached) and
   its done callbacks still run.  Safe inside the task's own done
   callback.  NULL is a no-op. */
SL_API void sl_task_free(sl_task *t);

SL_API enum sl_state sl_task_state(const sl_task *t);

/* True for DONE, FAILED and CANCELLED. */
SL_API bool sl_task_is_final(const sl_task *t);

/* The response of a final task: SL_OK and *out set for a DONE task, and
   for a FAILED or CANCELLED one whose server did answer (kind http,
   too_large, a timeout or a cancel mid-body: the status, headers and
   bytes as far as they came).  SL_ESTATE while the task is live,
   SL_ENOENT when no response came (*out set to NULL). */
SL_API int sl_task_response(const sl_task *t, const struct sl_response **out);

/* The error of a FAILED or CANCELLED task: SL_OK and *out set.  For a DONE
   task: SL_OK and *out = NULL.  SL_ESTATE for a live task. */
SL_API int sl_task_error(const sl_task *t, const struct sl_error **out);

/* A response header by name (case-insensitive), with SL_REQ_KEEP_HEADERS
   or on_headers: those of the last response (after redirects followed;
   not a 1xx), its value trimmed and on one line (a line folded onto the
   next is joined by a space: no CR or LF in a value); the first value
   when repeated.  NULL when absent or not kept. */
SL_API const char *sl_task_header(const sl_task *t, const char *name);

/* Every header value, in the order received, repeats kept (Link,
   Set-Cookie): those named name (case-insensitive), or every header when
   name is NULL.  Start with *pos = 0; each call returns the next value
   and sets *name_out (when not NULL) to its name as received, or returns
   NULL at the end.  What is kept is what sl_task_header() reads (a line
   with no name, ": value", is no header and is not kept).

     size_t pos = 0;
     const char *v;
     while((v = sl_task_header_next(t, "Link", &pos, NULL)))
       ...                                                              */
SL_API const char *sl_task_header_next(const sl_task *t, const char *name,
                                       size_t *pos, const char **name_out);

/* Names.  The default is "Task-N", N counting from 1 per context.  The
   name is copied.  SL_ENOMEM or SL_EINVAL on failure. */
SL_API int sl_task_set_name(sl_task *t, const char *name);
SL_API const char *sl_task_name(const sl_task *t);

SL_API const char *sl_task_url(const sl_task *t);

/* Tries made so far: 0 before the first transfer starts, 1 after, more
   when retried, and one more each time libcurl sent the request again by
   itself (a reused connection that closed before any answer: libcurl
   then sends it once more on a new connection).  Known once the
   transfer ends. */
SL_API unsigned sl_task_attempts(const sl_task *t);

/* Body bytes received so far by the task's current transfer, counted as
   sl_response.bytes counts them (decoded; a redirect's body that is
   followed is not counted), while it runs: a progress meter's figure.
   It starts again from 0 when a retry or a redirect begins, and once the
   task is final it is its response's bytes (0 without a response).  0
   before the first transfer. */
SL_API uint64_t sl_task_bytes(const sl_task *t);
SL_API void *sl_task_userdata(const sl_task *t);
SL_API sl_ctx *sl_task_ctx(const sl_task *t);

/*
 * Done callbacks.  cb(t, ud) runs exactly once, on the loop, after the
 * state is final; if the task is already final it runs on the next loop
 * iteration, never from inside sl_task_on_done().  Callbacks run in the
 * order they were added.  A callback may create, cancel and free tasks,
 * including its own.  If sl_task_on_done() fails (SL_ENOMEM, SL_EINVAL)
 * the callback never runs.
 */
typedef void (*sl_done_cb)(sl_task *t, void *ud);
SL_API int sl_task_on_done(sl_task *t, sl_done_cb cb, void *ud);

/* Removes every registration of (cb, ud) not yet run.  Returns how many
   were removed (0 when none). */
SL_API int sl_task_off_done(sl_task *t, sl_done_cb cb, void *ud);

/*
 * Requests cancellation.  The task becomes CANCELLED before this returns,
 * with kind cancelled and msg (copied; NULL gives "cancelled") as its
 * message; done callbacks run on the loop.  A RUNNING transfer stops at
 * once (no byte more reaches the task).  Its connection is closed before
 * this returns when it is called from outside the loop's callbacks; from
 * inside one (a done callback cancelling a group's siblings, say), the
 * connections of every transfer cancelled there are closed together after
 * that callback, before the loop waits again and before sluice starts or
 * serves another transfer.  Returns false when the task was already
 * final (a no-op).
 */
SL_API bool sl_task_cancel(sl_task *t, const char *msg);

/* Runs the loop until t is final.  SL_OK; SL_EBUSY when the loop belongs
   to the caller or when called from inside a done callback.  Blocking: on
   a caller's loop use sl_task_on_done(). */
SL_API int sl_task_wait(sl_task *t);

/* The task whose done callbacks are running (asyncio's current_task), or
   NULL outside them. */
SL_API sl_task *sl_current_task(const sl_ctx *ctx);

/* Calls fn for every live (PENDING or RUNNING) task, oldest first, until
   fn returns false (asyncio's all_tasks).  fn must not create or free
   tasks; it may read them.  Returns how many were visited. */
SL_API size_t sl_ctx_foreach_task(sl_ctx *ctx,
                                  bool (*fn)(sl_task *t, void *ud), void *ud);

/* ---- gather ----------------------------------------------------------- */

#define SL_RETURN_ERRORS (1u << 0) /* gather: fill every slot, never stop */

/* One slot of a gather: the task and what it came to. */
struct sl_outcome {
  sl_task *task;
  enum sl_state state;                /* PENDING/RUNNING if unfinished */
  const struct sl_response *response; /* when it has one */
  const struct sl_error *error;       /* FAILED, CANCELLED; else NULL */
};

/*
 * asyncio.gather: runs the loop until every task is final, then fills
 * out[i] for tasks[i], in input order whatever order they finished in.
 * Without SL_RETURN_ERRORS it returns as soon as one task fails or is
 * cancelled: SL_EFAILED, *first_failed = its index, the other slots as
 * they stand (the others keep running, as in asyncio).  With
 * SL_RETURN_ERRORS it waits for all and returns SL_OK; look at the slots.
 * SL_EBUSY as sl_task_wait().  Reading a slot's error counts as
 * retrieving it.  first_failed may be NULL.  Blocking: on a caller's loop
 * use sl_gather_start().
 */
SL_API int sl_gather(sl_task *const *tasks, size_t n, unsigned flags,
                     struct sl_outcome *out, size_t *first_failed);

/* ---- wait ------------------------------------------------------------- */

enum sl_return_when {
  SL_FIRST_COMPLETED, /* any task final */
  SL_FIRST_ERROR,     /* any task FAILED (not cancelled); else all */
  SL_ALL_COMPLETED
};

/*
 * asyncio.wait: runs the loop until the condition holds or timeout_ms
 * passes (0 = no timeout), then splits tasks into done (final) and
 * pending, each in input order; either array may be NULL and each must
 * hold n.  Pending tasks are NOT cancelled on timeout.  Returns SL_OK, or
 * SL_ETIMEOUT when the timeout ended the wait (the sets are filled either
 * way).  SL_EBUSY as sl_task_wait(): on a caller's loop use
 * sl_wait_start().
 */
SL_API int sl_wait(sl_task *const *tasks, size_t n, enum sl_return_when when,
                   long timeout_ms, sl_task **done, size_t *ndone,
                   sl_task **pending, size_t *npending);

/* ---- gather and wait on a caller's loop --------------------------------- */

/*
 * The callback forms of sl_gather() and sl_wait(), which work on any loop
 * (the blocking ones only on sluice's).  The same conditions; when one
 * holds, cb(w, rc, first, ud) runs once on the loop: rc SL_OK (every task
 * final; or, for SL_FIRST_COMPLETED, one), SL_EFAILED (gather without
 * SL_RETURN_ERRORS: a task FAILED or was CANCELLED; wait with
 * SL_FIRST_ERROR: one FAILED) or SL_ETIMEOUT (wait's timeout_ms passed
 * first: the tasks keep running).  first is the task that ended the wait
 * (the first to finish, or to fail), NULL on a timeout.  Read each task's
 * outcome there (sl_task_response, sl_task_error).  The task array is
 * copied and each task referenced until cb has returned, so tasks may be
 * freed meanwhile.  NULL (errno EINVAL: no tasks, a NULL one, tasks of two
 * contexts, no cb; ENOMEM) when it cannot start: cb never runs.  cb never
 * runs from inside these calls, even when the condition holds already.
 * The waiter is freed after cb returns.
 */
typedef void (*sl_waiter_cb)(sl_waiter *w, int rc, sl_task *first, void *ud);
SL_API sl_waiter *sl_gather_start(sl_task *const *tasks, size_t n,
                                  unsigned flags, sl_waiter_cb cb, void *ud);
SL_API sl_waiter *sl_wait_start(sl_task *const *tasks, size_t n,
                                enum sl_return_when when, long timeout_ms,
                                sl_waiter_cb cb, void *ud);
/* Stops a waiter whose callback has not run: it never will.  NULL, or a
   waiter whose callback is running, is a no-op. */
SL_API void sl_waiter_cancel(sl_waiter *w);

/* ---- as_completed ----------------------------------------------------- */

/*
 * asyncio.as_completed, streaming: add tasks as you create them; next()
 * yields them in the order they finish.  Memory is O(tasks added and not
 * yet yielded).  timeout_ms (0 = none) counts from creation: after it,
 * next() returns SL_ETIMEOUT and the remaining tasks keep running.
 *
 * With cb set, the iterator is push-style (for a loop the caller runs):
 * cb(ac, t, ud) runs on the loop for each task as it finishes, and once
 * with t == NULL at the timeout; next() is then not used.
 */
typedef void (*sl_as_completed_cb)(sl_as_completed *ac, sl_task *t, void *ud);
SL_API sl_as_completed *sl_as_completed_new(sl_ctx *ctx, long timeout_ms,
                                            sl_as_completed_cb cb, void *ud);
/* SL_OK, SL_ENOMEM, SL_EINVAL (a task of another context). */
SL_API int sl_as_completed_add(sl_as_completed *ac, sl_task *t);
/* Runs the loop until a task finishes: SL_OK and *out.  SL_ENOENT when
   every added task was yielded; SL_ETIMEOUT after the timeout; SL_EBUSY
   as sl_task_wait().  Blocking: on a caller's loop give
   sl_as_completed_new() a callback. */
SL_API int sl_as_completed_next(sl_as_completed *ac, sl_task **out);
/* Tasks added and not yet yielded. */
SL_API size_t sl_as_completed_left(const sl_as_completed *ac);
/* Stops watching (the tasks keep running).  NULL is a no-op. */
SL_API void sl_as_completed_free(sl_as_completed *ac);

/* ---- groups (asyncio.TaskGroup) ---------------------------------------- */

/*
 * A group of tasks.  The first task in it that FAILS (not one that is
 * cancelled) cancels every other task of the group still pending or
 * running, and every child group, before the failing task's callbacks
 * run; the message of those cancellations names the failed task
 * (sl_group_set_policy() changes what counts and how many are tolerated).
 * A child group that fails counts as a failure of its parent.  Memory is
 * O(live tasks): a task leaves its group once final and counted.  A group may
 * carry a deadline (timeout_ms from now; 0 = none, or the parent's): each task
 * gets the earlier of its own timeout and the group's deadline, and fails
 * with kind timeout past it.  parent may be NULL.  NULL on ENOMEM.
 */
SL_API sl_group *sl_group_new(sl_ctx *ctx, sl_group *parent, long timeout_ms);

/*
 * A group's failure policy, for groups that fit a site: what counts as a
 * failure, how many the group tolerates, how many it reports.  The
 * default (all zero) is asyncio's: the first FAILED task fails the group
 * (a task robots.txt refused, kind robots, is not a failure of its site).
 * A group fails once it has counted more failures than `tolerate`: it
 * then cancels every task of it and of its child groups still pending or
 * running (the message names the failure that tripped it and the count),
 * refuses new tasks, and is one failure of its parent (whose policy
 * decides for it).  A failure tolerated changes nothing but the count.
 */
struct sl_group_policy {
  size_t tolerate;   /* failures that do not fail the group; 0: none
                        (fail fast); SIZE_MAX: any number */
  bool http_errors;  /* a DONE task with a status >= 400 counts as a
                        failure too (the task stays DONE) */
  size_t max_errors; /* failures sl_group_errors() keeps, the first ones;
                        0 = 64 */
};

/* Sets g's policy (copied), for the failures counted from then on.
   SL_OK or SL_EINVAL. */
SL_API int sl_group_set_policy(sl_group *g, const struct sl_group_policy *p);

/* Failures counted so far (each child group that failed is one). */
SL_API size_t sl_group_failures(const sl_group *g);

/* sl_fetch() into the group.  NULL (errno ECANCELED) once the group has
   failed or been cancelled, as asyncio refuses create_task then. */
SL_API sl_task *sl_group_fetch(sl_group *g, const struct sl_request *req);

/* Cancels every live task of the group and of its children.  Returns
   false when nothing was live. */
SL_API bool sl_group_cancel(sl_group *g, const char *msg);

/* Runs the loop until every task of the group and its children is final.
   SL_OK unless the group failed (its policy tripped): SL_EFAILED; SL_EBUSY
   as sl_task_wait(): on a caller's loop use sl_group_on_done(). */
SL_API int sl_group_wait(sl_group *g);

/* The error group: the failures counted (FAILED tasks, and DONE ones
   with a status >= 400 under http_errors; cancellations are not errors),
   in the order they came, at most the policy's max_errors (the first
   ones; sl_group_failures() has the count), their errors counted as
   retrieved.  A child group's failure is listed as the task that tripped
   it.  *out stays valid until the group is freed.  Returns the count. */
SL_API size_t sl_group_errors(sl_group *g, sl_task *const **out);

/* True once every task of the group and its children is final. */
SL_API bool sl_group_done(const sl_group *g);

/* cb runs once on the loop when the group is done (at once on the next
   iteration if it already is).  One callback per group; SL_EINVAL when
   one is set. */
SL_API int sl_group_on_done(sl_group *g, void (*cb)(sl_group *g, void *ud),
                            void *ud);

/* Frees the group: live tasks in it (and in its children, which are
   freed too) are cancelled, as closing a libdill bundle does; the tasks
   themselves stay the caller's to sl_task_free().  Safe inside the
   group's own done callback and the done callbacks of its tasks.  NULL is
   a no-op. */
SL_API void sl_group_free(sl_group *g);

/* ---- queue (asyncio.Queue(maxsize), with priorities) -------------------- */

/*
 * A bounded queue of requests with workers: a crawler's frontier.
 * sl_queue_put() copies a request (as sl_fetch() does) into the queue;
 * requests wait there lowest req.priority first, in the order they were
 * put within one priority.  `workers` items at most are in progress at
 * once: while fewer are, the queue takes the first waiting request and
 * fetches it (into `group` when set), and that task goes through the
 * name and every limit as any other, with its priority (so the tasks of
 * a host are admitted in priority order too).  An item is done (asyncio's
 * task_done) once its task is final and on_done has returned; with
 * manual_done, only at sl_queue_task_done().  A request the queue cannot
 * fetch when its turn comes (its group has failed or was cancelled, or
 * memory ran out) is dropped and counts as done; on_done does not run for
 * it.  Every callback runs on the loop, never from inside a call of
 * yours, and may put, free tasks and groups, and free the queue.
 */
struct sl_queue_options {
  size_t maxsize;   /* requests waiting at most: sl_queue_put() answers
                       SL_EFULL beyond; 0 = no bound */
  size_t workers;   /* items in progress at most; 0 = twice the global
                       cap (sl_options.max_concurrency) */
  sl_group *group;  /* fetch into this group; NULL: none */
  bool manual_done; /* an item stays in progress after on_done until
                       sl_queue_task_done() (asyncio's explicit one) */
  /* Each task the queue fetched, once final (it is a done callback of
     the task: sl_current_task() is t).  t is the queue's: it is freed
     when on_done returns, so keep nothing of it but copies. */
  void (*on_done)(sl_queue *q, sl_task *t, void *ud);
  /* After sl_queue_put() answered SL_EFULL: runs once, when a request
     has left the queue and there is room for one again. */
  void (*on_space)(sl_queue *q, void *ud);
  /* join's callback form: runs each time every request put has been
     done (none waits, none is in progress), once per such time. */
  void (*on_join)(sl_queue *q, void *ud);
  void *ud;
};

/* A new queue (o may be NULL: the defaults), or NULL with errno EINVAL
   (no ctx, or a group of another context) or ENOMEM. */
SL_API sl_queue *sl_queue_new(sl_ctx *ctx, const struct sl_queue_options *o);

/* asyncio's put_nowait: SL_OK (the request is copied and waits);
   SL_EFULL when maxsize requests wait (then on_space runs once there is
   room); SL_ENOMEM; SL_EINVAL.  Never waits, never fetches from inside:
   workers take requests on the loop. */
SL_API int sl_queue_put(sl_queue *q, const struct sl_request *req);

/* With manual_done: one item whose on_done has run is done.  SL_OK;
   SL_ESTATE when no such item is left; SL_EINVAL without manual_done. */
SL_API int sl_queue_task_done(sl_queue *q);

/* Requests waiting (asyncio's qsize), and waiting plus in progress (the
   count join waits for). */
SL_API size_t sl_queue_size(const sl_queue *q);
SL_API size_t sl_queue_unfinished(const sl_queue *q);

/* asyncio's join, blocking: runs the loop until every request put is
   done.  SL_OK; SL_EBUSY on a caller's loop or inside a callback: use
   on_join there. */
SL_API int sl_queue_join(sl_queue *q);

/* Frees the queue: waiting requests are dropped, tasks in progress are
   cancelled and freed, and no callback of the queue runs again.  Safe
   inside the queue's own callbacks.  sl_ctx_free() frees the queues
   left (after their tasks' callbacks ran, CANCELLED).  NULL is a
   no-op. */
SL_API void sl_queue_free(sl_queue *q);

/* ---- loop services (call_later, add_signal_handler, add_reader) ------ */

/* cb(ud) runs once on the loop after ms milliseconds.  NULL on ENOMEM;
   then cb never runs. */
SL_API sl_timer *sl_call_later(sl_ctx *ctx, long ms, void (*cb)(void *ud),
                               void *ud);
/* Cancels a timer that has not fired; frees it either way.  A timer that
   fired is freed by sluice after its callback: do not cancel it then.
   NULL is a no-op. */
SL_API void sl_timer_cancel(sl_timer *tm);

/* cb(signum, ud) runs on the loop (not in the signal handler) each time
   signum arrives.  Only on the loop of the first context to ask for that
   signal (libev's rule).  SL_OK, SL_EINVAL, SL_EBUSY, SL_ENOMEM. */
SL_API int sl_on_signal(sl_ctx *ctx, int signum,
                        void (*cb)(int signum, void *ud), void *ud);
/* Stops watching signum. */
SL_API void sl_off_signal(sl_ctx *ctx, int signum);

/*
 * asyncio's loop.add_reader: cb(fd, ud) runs on the loop each time fd is
 * readable, until sl_remove_reader(ctx, fd).  Level-triggered: it runs
 * again on the next iteration while unread bytes (or the end of the
 * input) are left, so it should read each time; one read(2) does not
 * block then, even without O_NONBLOCK (unless another process reads the
 * same fd first).  For descriptors epoll can watch: pipes, sockets,
 * terminals; a regular file counts as always readable (libev's rule), so
 * read those directly.  Adding a reader for an fd that has one replaces
 * its callback and ud.  cb may add and remove readers, its own too, and
 * create, cancel and free tasks; the fd is never closed by sluice.
 *
 * A reader does not keep the loop running: sl_run() returns once no
 * task is live, and a caller's ev_run() ends as if it were not there,
 * however long it waits for input.  sl_reader_keep_alive(ctx, fd, true)
 * asks for that: while it is kept, sl_run() goes on (blocking in the
 * loop until the fd is readable, a timer or a signal), as for a live
 * task, and so does the caller's ev_run().
 *
 * SL_OK, SL_EINVAL (fd < 0, cb NULL), SL_ENOMEM (then cb never runs).
 */
SL_API int sl_add_reader(sl_ctx *ctx, int fd, void (*cb)(int fd, void *ud),
                         void *ud);
/* Stops watching fd (its keep-alive goes with it): true, or false when
   fd had no reader. */
SL_API bool sl_remove_reader(sl_ctx *ctx, int fd);
/* Whether fd's reader keeps the loop running (see sl_add_reader; a new
   reader does not).  SL_OK, SL_ENOENT when fd has no reader, SL_EINVAL. */
SL_API int sl_reader_keep_alive(sl_ctx *ctx, int fd, bool keep);
/* ---- URLs (for crawlers; no context needed) ----------------------------- */

/*
 * On libcurl's URL API.  Each writes its result into buf (size bytes,
 * always NUL-terminated when size > 0) and returns its length, as
 * snprintf does: a length of size or more means it did not fit (buf holds
 * its start; call again with more room).  Negative: SL_EINVAL (not an
 * http or https URL, a reference that gives none: "mailto:x",
 * "javascript:...", or one curl cannot parse), SL_ENOMEM.
 *
 * Normalised means: scheme and host in lower case, no default port (80,
 * 443), dot segments removed ("/a/./b/../c" is "/a/c"), no fragment, an
 * empty path "/", spaces and bytes over 0x7f escaped, and every escape
 * written one way (an unreserved character as itself: "%7e" is "~";
 * others in upper case: "%2a" is "%2A").  Two spellings of one URL give
 * one string, to compare or to keep in a set of URLs seen.
 */

/* A link (absolute, or relative as in an href: "../b", "?page=2",
   "//host/x", "#top"; spaces and control characters around it dropped)
   resolved against base (the page's URL, after its redirects), RFC 3986
   section 5, then normalised. */
SL_API int sl_url_resolve(const char *base, const char *ref, char *buf,
                          size_t size);

/* url normalised. */
SL_API int sl_url_normalize(const char *url, char *buf, size_t size);

/* Whether two http(s) URLs are of one site: their hosts have the same
   registrable domain (the Public Suffix List's, through libpsl:
   www.example.co.uk and example.co.uk are one site, a.github.io and
   b.github.io two), whatever their scheme and port; a host that is an
   address, or has no registrable domain, is only its own site.  false
   when either is not an http(s) URL. */
SL_API bool sl_url_same_site(const char *a, const char *b);

/* ---- names for values ------------------------------------------------- */

SL_API const char *sl_state_name(enum sl_state s); /* "pending", ... */
SL_API const char *sl_error_kind_name(enum sl_error_kind k); /* "dns", ... */
SL_API const char *sl_strerror(int rc);
SL_API const char *sl_version(void);

#ifdef __cplusplus
}
#endif
#endif /* SLUICE_H */
