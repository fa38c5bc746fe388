/*
 * request.h - what a request asks beyond a plain GET: the method, header
 * lines, a body (bytes or a file), user agent, referer and
 * Accept-Encoding, copied into the task and checked; and the header list
 * curl is given, merged from the context's lines and the request's.
 * Nothing here calls curl: transfer.c sets the easy handle up from it.
 *
 * Header lists are built from our own struct curl_slist nodes (a public
 * struct of libcurl's, which it only reads) over lines that stay put, so
 * building one allocates nothing once the task's arrays have grown.
 */
#ifndef SL_FETCHER_REQUEST_H
#define SL_FETCHER_REQUEST_H

#include "sluice.h"

#include "base/buf.h"

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

/* How the request is sent. */
enum sl_method {
  SL_METHOD_GET = 0,
  SL_METHOD_HEAD,
  SL_METHOD_POST,   /* with the body (or none) as POST fields */
  SL_METHOD_CUSTOM, /* CURLOPT_CUSTOMREQUEST, with or without a body */
};

/* A header list: nodes over lines kept elsewhere (a buffer that no longer
   moves).  head is NULL for an empty list. */
struct sl_hdrs {
  struct curl_slist *node;
  size_t n, cap;
  struct curl_slist *head;
};

/* What a task keeps of its request beyond the URL.  Offsets are into
   text (-1: not given); its memory is kept from one task to the next. */
struct sl_reqx {
  bool used;        /* anything beyond a plain GET or HEAD */
  bool own_headers; /* hdrs is this request's list, not the context's */
  bool has_body;    /* body bytes were given (maybe none) */
  bool get_now;     /* a redirect turned it into a bodyless GET */
  bool stripped;    /* Authorization and Cookie are no longer sent */
  const char *why;  /* static: why it cannot be sent, or NULL */
  long method, encoding, body_file, lines; /* offsets into text */
  size_t nlines;      /* header lines at `lines`, one after another: */
  size_t nua, nref;   /* first the User-Agent and Referer (0 or 1) */
  struct sl_buf text; /* the strings, NUL-terminated */
  struct sl_buf body; /* the body bytes */
  struct sl_hdrs hdrs;
};

/* The context's lines: the User-Agent and sl_options.headers, merged. */
struct sl_ctx_hdrs {
  struct sl_buf text;
  struct sl_hdrs list;
};

/* Why a header line cannot be sent ("Name: value", "Name:" or "Name;"
   with a token name and no line break), or NULL when it can. */
const char *sl__header_line_check(const char *line);

/* Why a method cannot be sent (not an HTTP token), or NULL. */
const char *sl__method_check(const char *method);

/* Builds the context's list from ua (NULL or "": none) and lines (NULL
   or NULL-terminated).  0; -1 with errno EINVAL (a bad line) or ENOMEM. */
int sl__ctx_hdrs_init(struct sl_ctx_hdrs *h, const char *ua,
                      const char *const *lines);
void sl__ctx_hdrs_free(struct sl_ctx_hdrs *h);

/* Copies what req asks beyond a plain GET into rx; "HEAD" as a method
   becomes SL_REQ_HEAD in *flags.  rx->why is set when the request cannot
   be sent.  false only when memory ran out.  For a plain request this
   only looks at the fields. */
bool sl__reqx_copy(struct sl_reqx *rx, const struct sl_request *req,
                   const struct sl_ctx_hdrs *ctx, unsigned *flags);

/* The header list to give curl: the request's own, or the context's. */
static inline struct curl_slist *sl__reqx_headers(const struct sl_reqx *rx,
                                                  const struct sl_ctx_hdrs *c)
{
  return rx->own_headers ? rx->hdrs.head : c->list.head;
}

/* After a redirect that leaves the origin: the request's own list without
   Authorization and Cookie lines.  false when memory ran out. */
bool sl__reqx_strip(struct sl_reqx *rx, const struct sl_ctx_hdrs *ctx);

/* Whether the lines sent hold an Authorization or a Cookie. */
bool sl__reqx_sensitive(const struct sl_reqx *rx, const struct sl_ctx_hdrs *c);

/* The value of the User-Agent line sent (the request's, else the
   context's), "" when none is. */
const char *sl__reqx_user_agent(const struct sl_reqx *rx,
                                const struct sl_ctx_hdrs *c);

/* How it is sent now, and the method's name ("GET", "HEAD", "POST" or
   the custom one). */
enum sl_method sl__reqx_method(const struct sl_reqx *rx, unsigned flags);
const char *sl__reqx_method_name(const struct sl_reqx *rx, unsigned flags);

/* A string of rx->text by its offset (NULL for -1). */
static inline const char *sl__reqx_str(const struct sl_reqx *rx, long off)
{
  return off >= 0 ? rx->text.p + off : NULL;
}

/* Empties rx for the next task, keeping up to a bound of its memory. */
void sl__reqx_reset(struct sl_reqx *rx);
void sl__reqx_free(struct sl_reqx *rx);

#endif
