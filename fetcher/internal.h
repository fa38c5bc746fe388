/*
 * internal.h - the context and task structures shared by the files of
 * fetcher/, and the functions they call on each other.  Nothing here is
 * public: the API is include/sluice.h.
 */
#ifndef SL_FETCHER_INTERNAL_H
#define SL_FETCHER_INTERNAL_H

#include "sluice.h"
#include "base/buf.h"
#include "fetcher/timers.h"
#include "limits/bucket.h"
#include "limits/hosts.h"
#include "base/list.h"
#include "limits/ns.h"
#include "limits/retry.h"
#include "limits/sem.h"
#include "loop/dns.h"
#include "loop/loop.h"

#include <curl/curl.h>

struct sl_cb {
  sl_done_cb cb; /* NULL once run or removed */
  void *ud;
};

#define SL_INLINE_CBS 2

struct sl_task {
  struct sl_ctx *ctx;
  enum sl_state state;
  uint64_t id;
  unsigned refs;  /* the caller's (until sl_task_free) + groups' */
  bool user_ref;  /* the caller has not called sl_task_free() */
  bool retrieved; /* its error or response was read */
  bool queued;    /* on the ctx's done queue: callbacks due */
  bool in_incoming;
  bool holds_permit;
  bool too_large;
  bool nomem;       /* a body or header buffer could not grow */
  bool dispatching; /* its done callbacks are running */

  /* ctx->all: every task not recycled, oldest first */
  struct sl_task *all_prev, *all_next;
  /* its group's task list */
  struct sl_group *group;
  struct sl_task *g_prev, *g_next;
  /* ctx->incoming (new, not yet admitted) */
  struct sl_task *in_prev, *in_next;
  /* ctx->done queue */
  struct sl_task *done_next;
  struct sl_sem_waiter wait;      /* queued on the global semaphore */
  struct sl_sem_waiter host_wait; /* queued on its host's semaphore */
  struct sl_host *host;           /* one user of the host table */
  bool holds_host;                /* a host slot */
  unsigned char stage;            /* where it waits (admit.c) */
  unsigned attempts;              /* transfers started */
  struct sl_tmr stage_tmr;        /* the wait of its stage */
  char retry_after[64];           /* Retry-After of the last response */
  char host_name[256];            /* from the URL, lower case */
  unsigned port;
  struct dns_entry *dns_wait; /* resolving: the entry it waits on */
  struct sl_task *dns_prev, *dns_next;
  struct sl_resolve_list *resolve; /* CURLOPT_RESOLVE, referenced */
  double dns_ms;                   /* our resolution time */

  /* the request, copied */
  unsigned flags;
  long connect_timeout_ms, max_redirects;
  size_t max_body;
  void *userdata;
  struct sl_buf url;
  struct sl_buf name; /* empty: "Task-<id>" */
  char namebuf[32];

  double created_at, started_at; /* loop time, seconds */
  double deadline;               /* loop time; 0 = none */
  struct sl_tmr tmr;             /* the deadline while queued */
  struct sl_easy *easy;          /* RUNNING: its handle (transfer.c) */

  struct sl_response resp;
  struct sl_error err;
  char errbuf[CURL_ERROR_SIZE];
  struct sl_buf msg;     /* long error messages */
  struct sl_buf body;    /* SL_REQ_BUFFER_BODY */
  struct sl_buf headers; /* SL_REQ_KEEP_HEADERS: "Name: value\0"... */
  struct sl_buf meta;    /* strings the response points to */

  struct sl_cb cbs_inline[SL_INLINE_CBS];
  struct sl_cb *cbs; /* cbs_inline or heap */
  size_t ncbs, cbs_cap;
};

struct sl_group {
  struct sl_ctx *ctx;
  struct sl_group *parent, *children, *sib_prev, *sib_next;
  struct sl_task *tasks, *tasks_tail; /* live ones, each referenced */
  size_t live;                        /* live tasks of this group */
  size_t live_children;               /* children with live tasks */
  double deadline;                    /* loop time; 0 = none */
  bool failed;                        /* a task (or a child) failed */
  bool closed;                        /* failed or cancelled: no new tasks */
  bool queued;                        /* its done callback is due */
  bool notified;                      /* its done callback ran */
  struct sl_group *done_next;
  void (*done_cb)(struct sl_group *g, void *ud);
  void *done_ud;
  struct sl_task **errors; /* FAILED tasks, referenced */
  size_t nerrors, errors_cap;
};

struct sl_ctx {
  struct sl_loop *loop;
  bool owns_loop;
  bool closing;
  unsigned dispatch_depth; /* > 0 while done callbacks run */
  uint64_t next_id;
  struct sl_stats stats;

  struct sl_sem sem;            /* global concurrency cap */
  struct sl_hosts hosts;        /* per host: slots, rate, pause */
  struct sl_bucket global_rate; /* when has_rate */
  bool has_rate;
  bool hosts_ready;
  struct sl_retry retry;        /* max_attempts 1: no retries */
  struct sl_resolver *resolver; /* name cache (resolve.c) */
  struct sl_dns *dns;           /* c-ares, started on first use */
  struct sl_dns_config dns_config;
  char *dns_servers;
  uint64_t stats_dns_queries;

  struct sl_task *all, *all_tail;
  struct sl_task *current; /* whose callbacks are running */
  struct sl_tmr_heap timers;
  double alarm_limit; /* in_alarm: timers up to it fire in this pass */
  bool in_alarm;
  struct sl_group *gdone_head, *gdone_tail;
  struct sl_group *groups;       /* top-level groups */
  struct sl_as_completed *iters; /* live as_completed iterators */
  struct sl_timer *user_timers;  /* call_later timers not yet fired */
  void (*warn)(const char *message, void *ud);
  void *warn_ud;
  bool quiet;
  struct sl_task *in_head, *in_tail;
  struct sl_task *done_head, *done_tail;
  struct sl_task *spare; /* recycled tasks, via all_next */
  size_t nspare, max_spare;

  struct sl_easy **easy_pool;
  size_t neasy, max_easy;
  CURLU *url_parser;
  enum sl_http_version http_version;
  char *ca_file;              /* NULL: the system's */
  struct curl_slist *headers; /* every request's: User-Agent */
  bool proxy_env; /* a proxy variable was set: curl reads the env */
};

/* task.c */
void sl__task_set_state(struct sl_task *t, enum sl_state st);
void sl__task_ref(struct sl_task *t);
void sl__task_unref(struct sl_task *t);
struct sl_task *sl__fetch(struct sl_ctx *ctx, const struct sl_request *req,
                          struct sl_group *g);
void sl__task_finish(struct sl_task *t, enum sl_state state);
void sl__task_set_error(struct sl_task *t, enum sl_error_kind kind, int code,
                        const char *msg);
void sl__task_dispatch(struct sl_task *t);
void sl__task_destroy(struct sl_task *t);

/* transfer.c */
int sl__transfer_start(struct sl_task *t);
void sl__transfer_done(struct sl_task *t, CURLcode rc);
void sl__transfer_stop(struct sl_task *t);
void sl__easy_pool_free(struct sl_ctx *ctx);
/* The task a finished easy handle ran. */
struct sl_task *sl__easy_task(CURL *e);
/* Keeps what every easy handle is given once (0, or -1 and errno). */
int sl__transfer_config(struct sl_ctx *ctx, const struct sl_options *o);

/* url.c: checks url and finds its host (lower case, no brackets) and
   port; false with *why when it cannot be fetched. */
bool sl__url_host(const char *url, char *host, size_t cap, unsigned *port,
                  const char **why);

/* url.c: a parsed URL handle for CURLOPT_CURLU that remembers the origin
   (scheme://authority) it was last given.  A URL with the same origin and
   a plain path only has its path and query replaced, which spares curl
   parsing the whole URL again for every request (a fifth of its work on
   keep-alive requests). */
#define SL_ORIGIN_MAX 256
struct sl_curlu {
  CURLU *u;          /* NULL until first used */
  size_t origin_len; /* 0: nothing cached */
  char origin[SL_ORIGIN_MAX];
};
/* Makes c->u hold url, parsed as curl parses CURLOPT_URL; false when curl
   rejects it or memory runs out (then CURLOPT_URL reports the error). */
bool sl__curlu_set(struct sl_curlu *c, const char *url);
void sl__curlu_free(struct sl_curlu *c);

/* admit.c: the way through the limits */
void sl__admit_init_task(struct sl_task *t);
void sl__admit(struct sl_task *t);       /* a new task */
void sl__admit_leave(struct sl_task *t); /* leave queues, give slots */
void sl__admit_done(struct sl_task *t);  /* final: and the host too */
void sl__admit_pause_host(struct sl_task *t, int64_t delay);
bool sl__admit_retry(struct sl_task *t, int64_t delay);
void sl__admit_resolved(struct sl_task *t); /* its name has addresses */
void sl__admit_fail(struct sl_task *t);     /* error set: finish */

/* resolve.c: names.  sl__resolve: 0 resolved (or an IP literal), 1
   waiting (sl__admit_resolved or sl__admit_fail follows), -1 failed now
   (error set); 2 and -2: answered at once and already continued or
   failed. */
int sl__resolve(struct sl_task *t);
void sl__resolve_leave(struct sl_task *t);
void sl__resolve_release(struct sl_task *t);
struct curl_slist *sl__resolve_slist(const struct sl_task *t);
int sl__resolve_add_static(struct sl_ctx *ctx, const char *spec);
void sl__resolve_free(struct sl_ctx *ctx);

/* ctx.c */
void sl__ctx_recycle(struct sl_ctx *ctx, struct sl_task *t);
int sl__ctx_arm(struct sl_ctx *ctx, struct sl_tmr *tm, double at);
/* SL_OK when the caller may run the loop here (blocking waits). */
int sl__ctx_can_block(const struct sl_ctx *ctx);
void sl__ctx_run_once(struct sl_ctx *ctx);

/* as_completed.c, services.c: freed with the context */
void sl__as_completed_free_all(struct sl_ctx *ctx);
void sl__services_free_all(struct sl_ctx *ctx);

/* group.c */
void sl__group_free_all(struct sl_ctx *ctx);
void sl__group_task_added(struct sl_group *g, struct sl_task *t);
void sl__group_task_final(struct sl_group *g, struct sl_task *t);
void sl__group_dispatch(struct sl_ctx *ctx);

#endif
