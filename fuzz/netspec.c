/*
 * netspec.c - fuzzes the checks of --resolve entries and --dns-server
 * lists (base/netspec.c), the library's and the command line's: no crash
 * or undefined behaviour; a server list that is refused leaves the output
 * buffer as it was, one that is accepted is appended after a comma and
 * is a list c-ares itself accepts (ares_set_servers_ports_csv), the
 * form sl_ctx_new hands it; a fixed answer accepted has HOST:PORT: and an
 * address, as the fetcher's own split of it (resolve.c) expects.
 */
#include <ares.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/netspec.h"

static ares_channel channel;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  struct ares_options o;

  memset(&o, 0, sizeof(o));
  if(ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS ||
     ares_init_options(&channel, &o, 0) != ARES_SUCCESS)
    abort();
  return 0;
}

static void check_servers(const char *s)
{
  struct sl_buf out = {0};
  const char *why;

  sl_buf_puts(&out, "127.0.0.1");
  why = sl_netspec_dns_servers(&out, s);
  if(why) {
    if(strcmp(out.p, "127.0.0.1"))
      abort(); /* unchanged on error */
  } else {
    if(strncmp(out.p, "127.0.0.1,", 10) || strlen(out.p) != out.len)
      abort();
    if(ares_set_servers_ports_csv(channel, out.p + 10) != ARES_SUCCESS)
      abort(); /* accepted here, refused by c-ares */
  }
  sl_buf_free(&out);
}

static void check_resolve(const char *s)
{
  const char *c1, *c2;
  long port;
  char *end;

  if(sl_netspec_check_resolve(s))
    return;
  /* the split fetcher/resolve.c makes of an accepted entry */
  c1 = strchr(s, ':');
  if(!c1 || c1 == s)
    abort();
  port = strtol(c1 + 1, &end, 10);
  c2 = end;
  if(c2 == c1 + 1 || *c2 != ':' || port <= 0 || port > 65535 || !c2[1])
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);

  if(!s)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  check_servers(s);
  check_resolve(s);
  free(s);
  return 0;
}
