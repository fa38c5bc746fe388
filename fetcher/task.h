/*
 * task.h - the task: what a request became, where it is in its life
 * (one stage machine), and the per-context registry of tasks (every live
 * task, the pool of recycled ones, the counters).
 *
 * Stages refine the public state: a PENDING task is NEW, RESOLVING its
 * name, or waiting at one of the limits (admit.c); then RUNNING inside
 * curl; then DONE, FAILED or CANCELLED.  Every change of stage goes
 * through sl__task_stage(), which keeps the state and the context's
 * counters true and, with SLUICE_TRACE=stages in the environment, prints
 * the transition on stderr (curl's mstate() does the same for its multi
 * states).
 */
#ifndef SL_FETCHER_TASK_H
#define SL_FETCHER_TASK_H

#include "sluice.h"

#include "base/buf.h"
#include "fetcher/error.h"
#include "fetcher/request.h"
#include "fetcher/resolve.h"
#include "fetcher/sched.h"
#include "fetcher/timers.h"
#include "limits/sem.h"

#include <stdint.h>

/* The longest politeness key: "host:port" (polite.c). */
#define SL_KEY_MAX 264

/* name, the public state it belongs to, what the task waits for */
#define SL_STAGE_MAP(XX)                                                      \
  XX(NEW, PENDING, "created, not yet admitted")                               \
  XX(ROBOTS, PENDING, "its origin's robots.txt (robotsfetch.c)")              \
  XX(RESOLVING, PENDING, "its host name")                                     \
  XX(GATE_QUEUED, PENDING, "its origin's first TLS connection (a session)")   \
  XX(PAUSED, PENDING, "timer: its host is paused (Retry-After)")              \
  XX(HOST_QUEUED, PENDING, "a slot of its host")                              \
  XX(HOST_RATE, PENDING, "timer: its host's next token")                      \
  XX(GLOBAL_QUEUED, PENDING, "a global slot (holding a host slot)")           \
  XX(GLOBAL_RATE, PENDING, "timer: the global next token (both slots)")       \
  XX(BACKOFF, PENDING, "timer: the backoff before a retry")                   \
  XX(RUNNING, RUNNING, "its transfer, inside curl")                           \
  XX(DONE, DONE, "nothing: a response came")                                  \
  XX(FAILED, FAILED, "nothing: no usable response")                           \
  XX(CANCELLED, CANCELLED, "nothing: cancelled")

enum sl_stage {
#define XX(name, state, what) SL_ST_##name,
  SL_STAGE_MAP(XX)
#undef XX
};

const char *sl__stage_name(enum sl_stage st);

struct sl_cb {
  sl_done_cb cb; /* NULL once run or removed */
  void *ud;
};

#define SL_INLINE_CBS 2

struct sl_task {
  struct sl_ctx *ctx;
  enum sl_state state; /* follows stage */
  enum sl_stage stage;
  uint64_t id;
  unsigned refs;  /* the caller's (until sl_task_free) + groups' */
  bool user_ref;  /* the caller has not called sl_task_free() */
  bool retrieved; /* its error or response was read */
  bool holds_permit;
  bool holds_host;
  bool host_running; /* counted in its host's running */
  bool too_large;
  bool nomem;       /* a body or header buffer could not grow */
  bool dispatching; /* its done callbacks are running */
  bool hopping;     /* its next transfer follows a redirect */
  bool body_seen;   /* this transfer's body has begun (redirects) */
  bool skip_body;   /* this transfer's body is a redirect's: dropped */
  bool sink_fed;    /* on_body has had pieces since it last started */
  bool sink_reset;  /* on_body is told to start over before more */
  bool sink_failed; /* on_body stopped the transfer (err says why) */
  bool bw_paused;   /* RUNNING: paused by the bandwidth caps (its stage
                       timer unpauses it) */
  bool head_given;  /* on_headers ran for this transfer */
  bool holds_gate;  /* passed its origin's gate (origin.h) */
  bool gated;       /* RUNNING while its origin's gate is closed: the
                       gate opens when its response begins or it ends */
  bool declined;    /* on_headers stopped the transfer (err says why) */
  bool no_robots;   /* a robots.txt fetch: not checked against one */

  struct sl_task *all_prev, *all_next; /* registry: all, or spare */
  struct sl_group *group;
  struct sl_task *g_prev, *g_next; /* its group's live tasks */
  struct sl_soon soon;             /* NEW: admission; final: callbacks */
  struct sl_sem_waiter wait;       /* queued on the global semaphore */
  struct sl_sem_waiter host_wait;  /* queued on its host's semaphore */
  struct sl_host *host;            /* one user of the host table */
  struct sl_origin *origin;        /* taken once its name is known */
  struct sl_sem_waiter gate_wait;  /* queued at its origin's gate */
  unsigned attempts;               /* transfers started */
  struct sl_tmr stage_tmr;         /* the wait of its stage */
  struct sl_tmr tmr;               /* its deadline while PENDING */
  char retry_after[64];            /* Retry-After of the last response */
  char host_name[256];             /* from the URL, lower case */
  char key[SL_KEY_MAX];            /* its politeness key; "" before */
  unsigned port;
  struct sl_name_wait dns;         /* RESOLVING: on its name */
  struct sl_resolve_list *resolve; /* CURLOPT_RESOLVE, referenced */
  int64_t dns_ns;                  /* our resolution time */

  /* robots.txt (robotsfetch.c) */
  struct sl_robots_entry *robots;    /* its origin's, once looked up */
  struct sl_task *rb_prev, *rb_next; /* stage ROBOTS: waiting for it */

  /* the request, copied */
  unsigned flags;
  int priority;
  long connect_timeout_ms, max_redirects, try_timeout_ms;
  size_t max_body;
  void *userdata;
  sl_body_cb on_body;
  void *body_ud;
  sl_headers_cb on_headers;
  void *headers_ud;
  struct sl_buf url;
  struct sl_buf name; /* empty: "Task-<id>" */
  char namebuf[32];
  struct sl_reqx rx; /* beyond the URL: method, headers, body */

  /* redirects followed (request.h has what they change) */
  unsigned hops;
  bool left_origin;      /* a hop left the URL's scheme, host and port */
  struct sl_buf hop_url; /* where the last one led; empty: none */

  int body_fd;       /* RUNNING: rx.body_file, open; else -1 */
  int64_t body_size; /* its size, or -1 (not a regular file) */
  int read_errno;    /* reading it failed */

  int64_t created_at, started_at; /* loop time, ns: of the transfer */
  int64_t try_start;    /* of the try's first transfer (before hops) */
  int64_t deadline;     /* loop time, ns; 0 = none */
  struct sl_easy *easy; /* RUNNING: its handle (transfer.c) */

  struct sl_response resp;
  struct sl_errstore err;
  struct sl_buf body;    /* SL_REQ_BUFFER_BODY */
  struct sl_buf headers; /* SL_REQ_KEEP_HEADERS: "Name\0value\0"... */
  struct sl_buf meta;    /* strings the response points to */

  struct sl_cb cbs_inline[SL_INLINE_CBS];
  struct sl_cb *cbs; /* cbs_inline or heap */
  size_t ncbs, cbs_cap;
};

/* The tasks of a context. */
struct sl_tasks {
  struct sl_task *all, *all_tail; /* every task not recycled, oldest first */
  struct sl_task *spare, *spare_tail; /* recycled, for reuse */
  size_t nspare, max_spare;
  struct sl_stats stats; /* created, and each state's count */
  uint64_t next_id;
  struct sl_task *current; /* whose callbacks are running */
  bool trace;              /* SLUICE_TRACE=stages */
  bool closing;            /* sl_ctx_free: no new tasks, no recycling */
  void (*warn)(const char *message, void *ud);
  void *warn_ud;
  bool quiet;
};

/* The URL the next (or running) transfer fetches: after redirects, the
   last one's target. */
static inline const char *sl__task_cur_url(const struct sl_task *t)
{
  return t->hop_url.len ? t->hop_url.p : t->url.p;
}

/* A new task for req in the context (NULL with errno set); the caller
   schedules its admission. */
struct sl_task *sl__task_new(struct sl_ctx *ctx, const struct sl_request *req);

/* sl_fetch, into group g when it is not NULL. */
struct sl_task *sl__fetch(struct sl_ctx *ctx, const struct sl_request *req,
                          struct sl_group *g);

/* The one place a task's stage (and so its state) changes. */
void sl__task_stage(struct sl_task *t, enum sl_stage st);

/* Makes t final (DONE, FAILED or CANCELLED): its deadline goes, its
   callbacks are queued, its group hears of it, and what it held at the
   limits is given back. */
void sl__task_finish(struct sl_task *t, enum sl_stage st);

/* The error of t, as sl__err_set. */
void sl__task_set_error(struct sl_task *t, enum sl_error_kind kind, int code,
                        const char *msg);

void sl__task_ref(struct sl_task *t);
void sl__task_unref(struct sl_task *t);

/* Every task, live or final, and the spare ones (teardown). */
void sl__tasks_free(struct sl_tasks *ts);

#endif
