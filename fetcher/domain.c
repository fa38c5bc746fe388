/*
 * domain.c - registrable domains through libpsl.  See domain.h.
 *
 * libpsl's built-in list (Debian builds it from the publicsuffix
 * package) needs no loading and no freeing, so any code may ask without
 * a context.  An address is its own site: libpsl would take the last
 * two numbers of an IPv4 address for a domain.
 */
#include "fetcher/domain.h"

#include <arpa/inet.h>
#include <libpsl.h>

const char *sl__registrable_domain(const char *host)
{
  unsigned char addr[16];
  const psl_ctx_t *psl = psl_builtin();
  const char *d;
  if(!psl || inet_pton(AF_INET, host, addr) == 1 ||
     inet_pton(AF_INET6, host, addr) == 1)
    return host;
  d = psl_registrable_domain(psl, host);
  return d ? d : host;
}
