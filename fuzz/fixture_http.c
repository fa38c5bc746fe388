/*
 * fixture_http.c - fuzzes sluice-fixture's HTTP/1.1 request parser
 * (fixtures/request.c, request_parse: pure, bytes in, a request out):
 * no crash, overread or undefined behaviour on any bytes; a parsed
 * request has a method of token characters, a target that starts with
 * '/' and lies within the input (an absolute-form one's authority too,
 * which is its host), a path and query within the target,
 * HTTP/1.x, and fields within the input; a refused one names a status
 * the server would answer with.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures/request.h"

struct span {
  const char *p;
  size_t n;
};

static void inside(const struct span *in, const char *p, size_t n)
{
  if(p && (p < in->p || p + n > in->p + in->n))
    abort();
}

static void check(const struct request *r, const struct span *in)
{
  if(!r->method_len || !request_is_token(r->method, r->method_len) ||
     !r->target_len || r->target[0] != '/' || r->path != r->target ||
     r->path_len > r->target_len || r->minor < 0 || r->minor > 9)
    abort();
  inside(in, r->method, r->method_len);
  /* an absolute-form target without a path is "/", a literal */
  if(!r->authority || r->target_len != 1)
    inside(in, r->target, r->target_len);
  inside(in, r->authority, r->authority_len);
  if(r->authority && (!r->authority_len || r->host != r->authority ||
                      r->host_len != r->authority_len))
    abort();
  inside(in, r->query, r->query_len);
  inside(in, r->host, r->host_len);
  if(r->query && r->query != r->path + r->path_len + 1)
    abort();
  for(size_t i = 0; i < r->nfields; i++) {
    inside(in, r->fields[i].name, r->fields[i].name_len);
    inside(in, r->fields[i].value, r->fields[i].value_len);
  }
}

/* The head as the server hands it on: up to and with its blank line,
   which is added when the input has none. */
static char *head_of(const uint8_t *data, size_t size, size_t *len)
{
  char *buf = malloc(size + 4);
  size_t n = size;
  if(!buf)
    return NULL;
  memcpy(buf, data, size);
  for(size_t i = 0; i + 1 < size; i++) {
    if(buf[i] == '\n' && buf[i + 1] == '\n') {
      n = i + 2;
      break;
    }
    if(buf[i] == '\n' && i + 2 < size && buf[i + 1] == '\r' &&
       buf[i + 2] == '\n') {
      n = i + 3;
      break;
    }
  }
  if(n == size) {
    memcpy(buf + size, "\r\n\r\n", 4);
    n = size + 4;
  }
  *len = n;
  return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct http_field *fields = NULL;
  struct request req;
  size_t len, cap = 0;
  char *head = head_of(data, size, &len);
  struct span in;
  int status = 0;

  if(!head)
    return 0;
  in.p = head;
  in.n = len;
  if(request_parse(head, len, &req, &fields, &cap, &status))
    check(&req, &in);
  else if(status != 400 && status != 500 && status != 501 && status != 505)
    abort();
  free(fields);
  free(head);
  return 0;
}
