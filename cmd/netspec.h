/*
 * netspec.h - checks of the name options, --resolve and --dns-server,
 * before the library sees them.
 *
 * The library only says "invalid" for the whole set (sl_ctx_new() fails
 * with EINVAL, or a bad DNS server is found at the first lookup), so the
 * command line checks each value itself and can say which one is wrong
 * and why.
 */
#ifndef SLUICE_CMD_NETSPEC_H
#define SLUICE_CMD_NETSPEC_H

#include "base/buf.h"

/* Checks one --resolve entry, HOST:PORT:ADDR[,ADDR]... as curl's
   --resolve takes it: HOST a host name, PORT 1..65535, each ADDR an IPv4
   or IPv6 literal (IPv6 may be in brackets).  NULL when it is good, else
   why not (a static message). */
const char *netspec_check_resolve(const char *spec);

/* Checks one --dns-server value, ADDR[:PORT] with ADDR an IPv4 literal,
   or [ADDR6][:PORT], or a bare IPv6 literal; several may be given with
   commas.  Appends each, in the form c-ares takes, to the comma-separated
   list in *list.  NULL when good, else why not (a static message, "out of
   memory" included); *list then holds what it held before. */
const char *netspec_add_dns_server(struct sl_buf *list, const char *value);

#endif
