/*
 * netspec.h - checks of the name settings, fixed answers (curl's
 * --resolve syntax) and DNS server lists, shared by the library (which
 * refuses bad ones in sl_ctx_new) and the command line (which names the
 * bad value and says why).
 *
 * Only IP literals are accepted as addresses, through inet_pton(): c-ares
 * takes nothing else as a server, and curl's resolve list would silently
 * ignore a name.  The messages say which part is wrong, because a typo in
 * a fixed address otherwise shows up only as every URL of that host
 * failing.
 */
#ifndef SL_BASE_NETSPEC_H
#define SL_BASE_NETSPEC_H

#include "base/buf.h"

/* Checks one fixed answer, HOST:PORT:ADDR[,ADDR]... as curl's --resolve
   takes it: HOST a host name, PORT 1..65535, each ADDR an IPv4 or IPv6
   literal (IPv6 may be in brackets).  NULL when it is good, else why not
   (a static message). */
const char *sl_netspec_check_resolve(const char *spec);

/* Checks a list of DNS servers, "SERVER[,SERVER]...", each ADDR[:PORT]
   with ADDR an IPv4 literal, or [ADDR6][:PORT], or a bare IPv6 literal,
   PORT 1..65535, and appends the list to out in the form c-ares takes
   (IPv6 in brackets with a port), after a comma when out is not empty.
   NULL when good, else why not (a static message, "out of memory"
   included); out is then unchanged. */
const char *sl_netspec_dns_servers(struct sl_buf *out, const char *list);

#endif
