/*
 * fixture_stub.c - fuzzes sluice-fixture's stub parser (fixtures/stubload.c,
 * stub_parse: one stub's JSON, as POST /_routes takes it from the network
 * and --routes from a file): no crash, leak or undefined behaviour on any
 * bytes; a refusal says why (a message, NUL-terminated within its room);
 * a stub accepted has a path, and one to 1000 answers, each with a
 * status from 100 to 599, its headers, a body (never NULL) and a fault
 * the server knows.  Relative body_file names are taken from a directory
 * that does not exist, so no file is read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures/stubs.h"

static void check_pairs(const struct stub_pair *p, size_t n)
{
  for(size_t i = 0; i < n; i++)
    if(!p[i].name || !p[i].value || strlen(p[i].name) < p[i].name_len)
      abort();
}

static void check(const struct stub *st)
{
  if(!st->name || !st->path || st->nanswers < 1 ||
     st->nanswers > STUB_ANSWERS_MAX)
    abort();
  check_pairs(st->query, st->nquery);
  check_pairs(st->headers, st->nheaders);
  for(size_t i = 0; i < st->nanswers; i++) {
    const struct stub_answer *a = &st->answers[i];
    if(a->status < 100 || a->status > 599 || !a->body ||
       a->fault > FAULT_TRUNCATE)
      abort();
    check_pairs(a->headers, a->nheaders);
  }
}

/* stubload.c's file loader adds through stubs.c, which answers on
   connections and is not linked here; no file is loaded here. */
void stubs_add(struct stubs *s, struct stub *st, bool front)
{
  (void)s, (void)st, (void)front;
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct stub *st = NULL;
  char msg[256];
  memset(msg, 'x', sizeof(msg));
  if(stub_parse((const char *)data, size, "_routes#1", "/nonexistent.fuzz",
                &st, msg, sizeof(msg))) {
    if(st || !memchr(msg, '\0', sizeof(msg)) || !msg[0])
      abort();
    return 0;
  }
  if(!st)
    abort();
  check(st);
  stub_free(st);
  return 0;
}
