/*
 * redirect.c - what a redirect leads to.  See redirect.h.
 *
 * curl works out the target (CURLINFO_REDIRECT_URL, a relative Location
 * resolved against the URL); here it is checked (count, scheme, host),
 * the next request gets its shape the way browsers and the fetch
 * standard give it (303, and 301 or 302 after a POST, become a GET
 * without the body; 307 and 308 repeat the request), Authorization and
 * Cookie lines go for good once a hop leaves the origin, and the task
 * goes back through admission for the target's host.  A hop is no new
 * try: attempts do not count it, and the response of the redirect is
 * dropped (its body never reached the caller).
 */
#include "fetcher/redirect.h"

#include "fetcher/admit.h"
#include "fetcher/ctx.h"
#include "fetcher/response.h"
#include "fetcher/task.h"
#include "fetcher/url.h"

#include <stdio.h>
#include <string.h>

bool sl__redirect_status(long status)
{
  return status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

static void fail(struct sl_task *t, const char *msg)
{
  sl__task_set_error(t, SL_ERR_REDIRECT, 0, msg);
  sl__task_finish(t, SL_ST_FAILED);
}

static bool is_https(const char *url)
{
  return (url[4] | 0x20) == 's'; /* checked: http:// or https:// */
}

/* Whether target (checked) has the origin of the task's current URL,
   whose host and port admission found. */
static bool same_origin(const struct sl_task *t, const char *target)
{
  char host[sizeof(t->host_name)];
  unsigned port;
  const char *why;
  return sl__url_host(target, host, sizeof(host), &port, &why) &&
         port == t->port && !strcmp(host, t->host_name) &&
         is_https(target) == is_https(sl__task_cur_url(t));
}

/* The most redirects t may follow. */
static long most(const struct sl_task *t)
{
  if(t->max_redirects == SL_REDIRECTS_NONE || t->max_redirects < 0)
    return 0;
  return t->max_redirects ? t->max_redirects : t->ctx->xfer.max_redirects;
}

/* Why target cannot be followed, in msg, or false when it can. */
static bool refuse(const struct sl_task *t, const char *target, char *msg,
                   size_t size)
{
  char host[sizeof(t->host_name)];
  unsigned port;
  const char *why;
  if(t->hops >= (unsigned long)most(t)) {
    snprintf(msg, size, "more than %ld redirects (the next to '%.300s')",
             most(t), target);
    return true;
  }
  if(!sl__url_host(target, host, sizeof(host), &port, &why)) {
    snprintf(msg, size, "redirect to '%.300s' not followed: %s", target, why);
    return true;
  }
  return false;
}

/* The next request's shape: method and headers. */
static bool reshape(struct sl_task *t)
{
  struct sl_reqx *rx = &t->rx;
  const struct sl_ctx_hdrs *hdrs = &t->ctx->xfer.hdrs;
  long status = t->resp.status;
  enum sl_method m = sl__reqx_method(rx, t->flags);
  if((status == 303 && m != SL_METHOD_HEAD) ||
     ((status == 301 || status == 302) && m == SL_METHOD_POST))
    rx->get_now = true;
  if(!rx->stripped && t->left_origin && sl__reqx_sensitive(rx, hdrs))
    return sl__reqx_strip(rx, hdrs);
  return true;
}

/* The user and password part of url's authority ("u:p", before the
   '@'): its length, 0 for none. */
static size_t userinfo(const char *url, const char **ui)
{
  const char *auth = strstr(url, "://"), *at = NULL;
  if(!auth)
    return 0;
  auth += 3;
  for(const char *s = auth; *s && !strchr("/?#", *s); s++)
    if(*s == '@')
      at = s;
  *ui = auth;
  return at ? (size_t)(at - auth) : 0;
}

/* The next hop's URL into t->hop_url: the target, with the user and
   password of the task's URL while the hops stay at its origin (curl
   works a relative target out without them). */
static int hop_url(struct sl_task *t, const char *target)
{
  const char *ui, *tui;
  size_t n = userinfo(t->url.p, &ui);
  const char *rest = strstr(target, "://") + 3; /* checked */
  sl_buf_truncate(&t->hop_url, 0);
  if(!n || t->left_origin || userinfo(target, &tui))
    return sl_buf_puts(&t->hop_url, target);
  return sl_buf_append(&t->hop_url, target, (size_t)(rest - target)) ||
         sl_buf_append(&t->hop_url, ui, n + 1) ||
         sl_buf_puts(&t->hop_url, rest);
}

bool sl__redirect(struct sl_task *t)
{
  const char *target = t->resp.redirect_url;
  char msg[512];
  if(!(t->flags & SL_REQ_FOLLOW_REDIRECTS) ||
     !sl__redirect_status(t->resp.status) || !target)
    return false;
  if(refuse(t, target, msg, sizeof(msg))) {
    fail(t, msg);
    return true;
  }
  if(!same_origin(t, target))
    t->left_origin = true;
  /* the target lives in meta, which the reset empties */
  if(!reshape(t) || hop_url(t, target)) {
    sl__task_set_error(t, SL_ERR_INTERNAL, 0, "out of memory");
    sl__task_finish(t, SL_ST_FAILED);
    return true;
  }
  sl__response_reset(t);
  t->hops++;
  t->hopping = true;
  sl__admit_redirect(t);
  return true;
}
