/*
 * fixture_http.c - fuzzes sluice-fixture's HTTP/1.1 request parser
 * (fixtures/http.c, through http_parse_buffer: the heads of a
 * connection's input parsed one after another, bodies skipped, no
 * socket): no crash, overread or undefined behaviour on any bytes; every
 * request handed on has a method of token characters, a target that
 * starts with '/' and lies within the input, a path and query within the
 * target, and HTTP/1.0 or 1.x.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures/http.h"

struct span {
  const char *p;
  size_t n;
};

static void inside(const struct span *in, const char *p, size_t n)
{
  if(p && (p < in->p || p + n > in->p + in->n))
    abort();
}

static void on_request(const struct request *r, void *ud)
{
  const struct span *in = ud;

  if(!r->method_len || r->method_len > in->n || !r->target_len ||
     r->target[0] != '/' || r->path != r->target ||
     r->path_len > r->target_len || r->minor < 0 || r->minor > 9)
    abort();
  inside(in, r->method, r->method_len);
  inside(in, r->target, r->target_len);
  inside(in, r->query, r->query_len);
  inside(in, r->host, r->host_len);
  if(r->query && r->query != r->path + r->path_len + 1)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* a copy of its own size, so that ASan sees any read past the end */
  char *buf = malloc(size ? size : 1);
  struct span in = {buf, size};
  int status;

  if(!buf)
    return 0;
  memcpy(buf, data, size);
  status = http_parse_buffer(buf, size, on_request, &in);
  if(status && status != 400 && status != 431 && status != 501 &&
     status != 505)
    abort();
  free(buf);
  return 0;
}
