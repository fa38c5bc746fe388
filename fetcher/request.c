/*
 * request.c - a request beyond its URL: copied into the task, checked
 * (a bad one fails on the loop with kind invalid_request, as a bad URL
 * does), and its header list merged from the context's lines and its
 * own.  See request.h.
 *
 * Merging follows curl's command line: the lines go in order (the
 * context's User-Agent, the context's lines, the request's User-Agent,
 * its Referer, its own lines) and a line drops every line of the same
 * name from the groups before its own; lines of one name in one group
 * are all sent.  A plain request (none of these fields) costs only the
 * look at its fields.
 */
#include "fetcher/request.h"

#include "base/array.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* RFC 9110 tchar */
static bool is_tchar(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static size_t token_len(const char *s)
{
  size_t n = 0;
  while(is_tchar((unsigned char)s[n]))
    n++;
  return n;
}

const char *sl__method_check(const char *method)
{
  size_t n = token_len(method);
  if(!n || method[n])
    return "the method is not an HTTP token";
  return NULL;
}

const char *sl__header_line_check(const char *line)
{
  size_t n = token_len(line);
  if(!n || (line[n] != ':' && line[n] != ';'))
    return "a header line is not \"Name: value\", \"Name:\" or \"Name;\"";
  if(strpbrk(line, "\r\n"))
    return "a header line contains a line break";
  if(line[n] == ';' && line[n + 1 + strspn(line + n + 1, " \t")])
    return "a header line \"Name;\" has something after the ';'";
  return NULL;
}

/* The public form of a check: true, or false with *why. */
static bool checked(const char *why_not, const char **why)
{
  if(why_not && why)
    *why = why_not;
  return !why_not;
}

bool sl_header_check(const char *line, const char **why)
{
  return checked(line ? sl__header_line_check(line) : "no header line", why);
}

bool sl_method_check(const char *method, const char **why)
{
  return checked(method ? sl__method_check(method) : "no method", why);
}

static size_t name_len(const char *line)
{
  return strcspn(line, ":;");
}

static bool same_name(const char *a, const char *b)
{
  size_t n = name_len(a);
  return n == name_len(b) && !strncasecmp(a, b, n);
}

static bool sensitive(const char *line)
{
  return same_name(line, "Authorization:") || same_name(line, "Cookie:");
}

/* Groups of lines: [0, end[0]) is the first, [end[0], end[1]) the
   second, ..., [end[2], n) the last. */
struct groups {
  size_t end[3];
};

static size_t group_end(const struct groups *g, size_t i, size_t n)
{
  for(int k = 0; k < 3; k++)
    if(i < g->end[k])
      return g->end[k];
  return n;
}

/* h->node[0..n).data hold the lines in order: keeps, in place, those no
   line of a later group names (and, with strip, no Authorization or
   Cookie), and links them. */
static void merge(struct sl_hdrs *h, size_t n, const struct groups *g,
                  bool strip)
{
  size_t k = 0;
  for(size_t i = 0; i < n; i++) {
    const char *line = h->node[i].data;
    bool drop = strip && sensitive(line);
    for(size_t j = group_end(g, i, n); j < n && !drop; j++)
      drop = same_name(line, h->node[j].data);
    if(!drop)
      h->node[k++].data = (char *)line; /* k <= i < j: still unread */
  }
  for(size_t i = 0; i < k; i++)
    h->node[i].next = i + 1 < k ? &h->node[i + 1] : NULL;
  h->n = k;
  h->head = k ? &h->node[0] : NULL;
}

static int reserve(struct sl_hdrs *h, size_t n)
{
  return sl_array_reserve(h->node, h->cap, n, 8);
}

int sl__ctx_hdrs_init(struct sl_ctx_hdrs *h, const char *ua,
                      const char *const *lines)
{
  size_t n = 0, nua = ua && *ua ? 1 : 0, off = 0;
  struct groups g = {{nua, nua, nua}};
  memset(h, 0, sizeof(*h));
  errno = EINVAL;
  for(const char *const *l = lines; l && *l; l++, n++)
    if(sl__header_line_check(*l))
      return -1;
  errno = ENOMEM;
  if(nua && sl_buf_printf(&h->text, "User-Agent: %s%c", ua, 0))
    return -1;
  for(size_t i = 0; i < n; i++)
    if(sl_buf_push_str(&h->text, lines[i]) < 0)
      return -1;
  if(reserve(&h->list, n + nua))
    return -1;
  for(size_t i = 0; i < n + nua; i++) { /* the text no longer moves */
    h->list.node[i].data = h->text.p + off;
    off += strlen(h->text.p + off) + 1;
  }
  merge(&h->list, n + nua, &g, false);
  return 0;
}

void sl__ctx_hdrs_free(struct sl_ctx_hdrs *h)
{
  sl_buf_free(&h->text);
  free(h->list.node);
  memset(h, 0, sizeof(*h));
}

/* Why req cannot be sent, or NULL. */
static const char *check(const struct sl_request *req, unsigned flags)
{
  const char *vals[] = {req->user_agent, req->referer, req->accept_encoding};
  bool body = req->body || req->body_file;
  if(req->method && sl__method_check(req->method))
    return sl__method_check(req->method);
  if((flags & SL_REQ_HEAD) && req->method && strcmp(req->method, "HEAD"))
    return "SL_REQ_HEAD with another method";
  if(body &&
     ((flags & SL_REQ_HEAD) || (req->method && !strcmp(req->method, "HEAD"))))
    return "a HEAD request cannot have a body";
  if(req->body && req->body_file)
    return "both a body and a body file";
  if(!req->body && req->body_len)
    return "body_len without a body";
  if(req->body_file && !*req->body_file)
    return "the body file name is empty";
  for(size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
    if(vals[i] && strpbrk(vals[i], "\r\n"))
      return "a line break in the user agent, referer or accept_encoding";
  for(const char *const *l = req->headers; l && *l; l++)
    if(sl__header_line_check(*l))
      return sl__header_line_check(*l);
  return NULL;
}

/* Pushes s (when not NULL) and returns its offset; -1 for NULL; -2 when
   memory ran out. */
static long push(struct sl_buf *b, const char *s)
{
  long off;
  if(!s)
    return -1;
  off = sl_buf_push_str(b, s);
  return off < 0 ? -2 : off;
}

/* The request's lines, one after another: User-Agent, Referer, its own
   (counted in nua, nref, nlines). */
static int push_lines(struct sl_reqx *rx, const struct sl_request *req)
{
  const char *ua = req->user_agent;
  rx->lines = (long)rx->text.len;
  rx->nua = rx->nref = rx->nlines = 0;
  /* "": "User-Agent:", which drops the context's and sends none */
  if(ua &&
     sl_buf_printf(&rx->text, "User-Agent:%s%s%c", *ua ? " " : "", ua, 0))
    return -1;
  rx->nua = ua ? 1 : 0;
  if(req->referer &&
     sl_buf_printf(&rx->text, "Referer: %s%c", req->referer, 0))
    return -1;
  rx->nref = req->referer ? 1 : 0;
  rx->nlines = rx->nua + rx->nref;
  for(const char *const *l = req->headers; l && *l; l++, rx->nlines++)
    if(sl_buf_push_str(&rx->text, *l) < 0)
      return -1;
  return 0;
}

/* The groups of the context's nctx lines and the request's. */
static struct groups groups_of(const struct sl_reqx *rx, size_t nctx)
{
  struct groups g = {{nctx, nctx + rx->nua, nctx + rx->nua + rx->nref}};
  return g;
}

/* Builds the request's own list from the context's lines and its own. */
static int build(struct sl_reqx *rx, const struct sl_ctx_hdrs *ctx, bool strip)
{
  size_t nctx = ctx->list.n, off = (size_t)rx->lines;
  struct groups g = groups_of(rx, nctx);
  if(reserve(&rx->hdrs, nctx + rx->nlines))
    return -1;
  for(size_t i = 0; i < nctx; i++)
    rx->hdrs.node[i].data = ctx->list.node[i].data;
  for(size_t i = 0; i < rx->nlines; i++) {
    rx->hdrs.node[nctx + i].data = rx->text.p + off;
    off += strlen(rx->text.p + off) + 1;
  }
  merge(&rx->hdrs, nctx + rx->nlines, &g, strip);
  rx->own_headers = true;
  return 0;
}

static bool plain(const struct sl_request *req)
{
  return !req->method && !req->headers && !req->body && !req->body_len &&
         !req->body_file && !req->user_agent && !req->referer &&
         !req->accept_encoding;
}

bool sl__reqx_copy(struct sl_reqx *rx, const struct sl_request *req,
                   const struct sl_ctx_hdrs *ctx, unsigned *flags)
{
  rx->used = rx->own_headers = rx->has_body = false;
  rx->get_now = rx->stripped = false;
  rx->why = NULL;
  rx->method = rx->encoding = rx->body_file = rx->lines = -1;
  rx->nlines = rx->nua = rx->nref = 0;
  if(plain(req))
    return true;
  rx->used = true;
  if((rx->why = check(req, *flags)))
    return true;
  if(req->method && !strcmp(req->method, "HEAD"))
    *flags |= SL_REQ_HEAD;
  else if((rx->method = push(&rx->text, req->method)) == -2)
    return false;
  if((rx->encoding = push(&rx->text, req->accept_encoding)) == -2 ||
     (rx->body_file = push(&rx->text, req->body_file)) == -2)
    return false;
  if(req->body) {
    rx->has_body = true;
    if(sl_buf_append(&rx->body, req->body, req->body_len))
      return false;
  }
  if(!req->headers && !req->user_agent && !req->referer)
    return true;
  return !push_lines(rx, req) && !build(rx, ctx, false);
}

bool sl__reqx_strip(struct sl_reqx *rx, const struct sl_ctx_hdrs *ctx)
{
  rx->used = rx->stripped = true;
  if(rx->lines < 0)
    rx->lines = (long)rx->text.len;
  return !build(rx, ctx, true);
}

bool sl__reqx_sensitive(const struct sl_reqx *rx, const struct sl_ctx_hdrs *c)
{
  for(struct curl_slist *l = sl__reqx_headers(rx, c); l; l = l->next)
    if(sensitive(l->data))
      return true;
  return false;
}

const char *sl__reqx_user_agent(const struct sl_reqx *rx,
                                const struct sl_ctx_hdrs *c)
{
  const char *ua = "";
  for(struct curl_slist *l = sl__reqx_headers(rx, c); l; l = l->next)
    if(same_name(l->data, "User-Agent:")) /* the merged list: one at most */
      ua = l->data + name_len(l->data) + 1;
  return ua + strspn(ua, " \t");
}

enum sl_method sl__reqx_method(const struct sl_reqx *rx, unsigned flags)
{
  const char *m = sl__reqx_str(rx, rx->method);
  if(flags & SL_REQ_HEAD)
    return SL_METHOD_HEAD;
  if(!rx->used || rx->get_now)
    return SL_METHOD_GET;
  if(!m)
    return rx->has_body || rx->body_file >= 0 ? SL_METHOD_POST : SL_METHOD_GET;
  if(!strcmp(m, "POST"))
    return SL_METHOD_POST;
  if(!strcmp(m, "GET") && !rx->has_body && rx->body_file < 0)
    return SL_METHOD_GET;
  return SL_METHOD_CUSTOM;
}

const char *sl__reqx_method_name(const struct sl_reqx *rx, unsigned flags)
{
  switch(sl__reqx_method(rx, flags)) {
    case SL_METHOD_HEAD:
      return "HEAD";
    case SL_METHOD_POST:
      return "POST";
    case SL_METHOD_CUSTOM:
      return sl__reqx_str(rx, rx->method);
    default:
      return "GET";
  }
}

void sl__reqx_reset(struct sl_reqx *rx)
{
  sl_buf_reset(&rx->text, 16 * 1024);
  sl_buf_reset(&rx->body, 64 * 1024);
  if(rx->hdrs.cap > 64) {
    free(rx->hdrs.node);
    memset(&rx->hdrs, 0, sizeof(rx->hdrs));
  }
  rx->used = rx->own_headers = false;
}

void sl__reqx_free(struct sl_reqx *rx)
{
  sl_buf_free(&rx->text);
  sl_buf_free(&rx->body);
  free(rx->hdrs.node);
  memset(&rx->hdrs, 0, sizeof(rx->hdrs));
}
