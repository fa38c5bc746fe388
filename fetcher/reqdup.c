/*
 * reqdup.c - a request copied whole into one block.  See reqdup.h.
 *
 * Two passes over the same list of fields: one adds up the room, one
 * copies; the list is fields(), so the two cannot disagree.
 */
#include "fetcher/reqdup.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Where the copy goes: p NULL while measuring. */
struct cursor {
  char *p;
  size_t used;
};

static const void *take(struct cursor *c, const void *src, size_t n)
{
  void *dst = c->p ? c->p + c->used : NULL;
  if(dst)
    memcpy(dst, src, n);
  c->used += n;
  return dst;
}

static const char *str(struct cursor *c, const char *s)
{
  return s ? take(c, s, strlen(s) + 1) : NULL;
}

/* Copies (or measures) every field of r that points somewhere, setting
   r's pointers to the copies; the header array first, for alignment. */
static void fields(struct cursor *c, struct sl_request *r)
{
  size_t n = 0;
  if(r->headers) {
    const char **lines;
    while(r->headers[n])
      n++;
    lines = (const char **)(c->p ? c->p + c->used : NULL);
    c->used += (n + 1) * sizeof(*lines);
    for(size_t i = 0; i < n; i++) {
      const char *line = str(c, r->headers[i]);
      if(lines)
        lines[i] = line;
    }
    if(lines) {
      lines[n] = NULL;
      r->headers = lines;
    }
  }
  r->url = str(c, r->url);
  r->method = str(c, r->method);
  r->body_file = str(c, r->body_file);
  r->user_agent = str(c, r->user_agent);
  r->referer = str(c, r->referer);
  r->accept_encoding = str(c, r->accept_encoding);
  if(r->body) { /* and a NUL after it */
    const void *b = take(c, r->body, r->body_len);
    if(c->p) {
      c->p[c->used] = '\0';
      r->body = b;
    }
    c->used++;
  }
}

void *sl__request_dup(const struct sl_request *req, size_t head,
                      struct sl_request **copy)
{
  const size_t align = alignof(max_align_t);
  size_t at = (head + align - 1) / align * align;
  struct sl_request measure = *req, *r;
  struct cursor c = {NULL, 0};
  char *block;
  fields(&c, &measure);
  block = calloc(1, at + sizeof(*r) + c.used);
  if(!block)
    return NULL;
  r = (struct sl_request *)(block + at);
  *r = *req;
  c.p = (char *)(r + 1);
  c.used = 0;
  fields(&c, r);
  *copy = r;
  return block;
}
