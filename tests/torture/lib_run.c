/*
 * lib_run.c - a short library run for the allocation-failure torture
 * (scripts/torture.sh): a context with a DNS server and a fixed answer,
 * plain fetches with buffered bodies and kept headers, a retried 500, a
 * group, as_completed, gather, wait, a name resolved through the
 * fixture's DNS, a cancellation and call_later, against a running
 * sluice-fixture.  Any outcome of any call is accepted (an allocation may
 * fail anywhere); what must hold is that every call returns, the run
 * ends, and everything is freed (AddressSanitizer checks the rest).
 *
 * Usage: torture-lib HTTP_PORT DNS_PORT
 * Exit status 0 when it ran to the end, 1 when the context could not be
 * made (an allocation failed there: also fine).
 */
#include <stdio.h>
#include <stdlib.h>

#include "sluice.h"

static char base[64], dns[64];

static const char *u(const char *host, const char *path)
{
  static char buf[8][256];
  static int i;
  i = (i + 1) % 8;
  snprintf(buf[i], sizeof(buf[i]), "http://%s:%s%s", host, base, path);
  return buf[i];
}

static sl_task *get(sl_ctx *ctx, sl_group *g, const char *url, unsigned fl)
{
  struct sl_request r = {0};
  r.url = url;
  r.flags = fl;
  r.timeout_ms = 3000;
  return g ? sl_group_fetch(g, &r) : sl_fetch(ctx, &r);
}

static void on_done(sl_task *t, void *ud)
{
  const struct sl_error *e;
  (void)ud;
  sl_task_error(t, &e); /* retrieved: no warning */
  sl_task_free(t);
}

static void cancel_later(void *ud)
{
  sl_task_cancel(ud, "enough");
}

static void combinators(sl_ctx *ctx)
{
  sl_task *t[3];
  struct sl_outcome out[3];
  sl_task *done[3], *pending[3];
  size_t nd, np;
  sl_as_completed *ac;
  sl_group *g = sl_group_new(ctx, NULL, 2000);
  sl_task *x;

  if(g) {
    get(ctx, g, u("127.0.0.1", "/bytes/5"), 0);
    get(ctx, g, u("g.test", "/status/500"), SL_REQ_FAIL_ON_HTTP_ERROR);
    sl_group_wait(g);
    sl_group_free(g);
  }
  ac = sl_as_completed_new(ctx, 2000, NULL, NULL);
  for(int i = 0; i < 2; i++) {
    t[i] = get(ctx, NULL, u(i ? "a.test" : "127.0.0.1", "/delay/20"), 0);
    if(ac && t[i])
      sl_as_completed_add(ac, t[i]);
  }
  while(ac && sl_as_completed_next(ac, &x) == SL_OK)
    ;
  sl_as_completed_free(ac);
  sl_task_free(t[0]);
  sl_task_free(t[1]);
  for(int i = 0; i < 3; i++)
    t[i] = get(ctx, NULL, u("b.test", i == 1 ? "/flaky/1" : "/bytes/3"),
               SL_REQ_BUFFER_BODY | SL_REQ_KEEP_HEADERS);
  if(t[0] && t[1] && t[2]) {
    sl_gather(t, 3, SL_RETURN_ERRORS, out, NULL);
    sl_wait(t, 3, SL_ALL_COMPLETED, 1000, done, &nd, pending, &np);
    sl_task_header(t[0], "content-type");
  }
  for(int i = 0; i < 3; i++)
    sl_task_free(t[i]);
}

int main(int argc, char **argv)
{
  struct sl_options o = {0};
  char fixed[128];
  const char *resolve[] = {fixed, NULL};
  sl_ctx *ctx;
  sl_task *c;

  if(argc != 3) {
    fputs("usage: torture-lib HTTP_PORT DNS_PORT\n", stderr);
    return 2;
  }
  snprintf(base, sizeof(base), "%s", argv[1]);
  snprintf(dns, sizeof(dns), "127.0.0.1:%s", argv[2]);
  snprintf(fixed, sizeof(fixed), "fixed.example:%s:127.0.0.1", argv[1]);
  o.max_concurrency = 4;
  o.per_host = 2;
  o.retries = 1;
  o.retry_max_delay_ms = 50;
  o.dns_servers = dns;
  o.dns_timeout_ms = 1000;
  o.resolve = resolve;
  o.quiet = true;
  ctx = sl_ctx_new(&o);
  if(!ctx)
    return 1;
  sl_task_on_done(get(ctx, NULL, u("fixed.example", "/bytes/10"), 0), on_done,
                  NULL);
  sl_task_on_done(
      get(ctx, NULL, u("c.test", "/chunked/3000"), SL_REQ_BUFFER_BODY),
      on_done, NULL);
  sl_task_on_done(get(ctx, NULL, "not a url", 0), on_done, NULL);
  c = get(ctx, NULL, u("127.0.0.1", "/hang"), 0);
  sl_call_later(ctx, 20, cancel_later, c);
  sl_run(ctx);
  sl_task_free(c);
  combinators(ctx);
  sl_run(ctx);
  sl_ctx_free(ctx);
  return 0;
}
