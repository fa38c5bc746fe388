/*
 * fixture_dns.c - fuzzes sluice-fixture's DNS message code
 * (fixtures/dnsmsg.c): parsing a query from any bytes, then, for a query
 * it accepts, its name in presentation form and a reply with as many
 * addresses as fit.  No crash, overread or undefined behaviour; the
 * parsed name is within ZONE_NAME_MAX and ends with the root label; the
 * reply never exceeds DNS_UDP_MAX, echoes the question, and sets TC
 * exactly when an answer did not fit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures/dnsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const uint8_t v4[4] = {127, 0, 0, 1}, v6[16] = {[15] = 1};
  uint8_t *pkt = malloc(size ? size : 1);
  struct dns_query q;
  struct dns_reply r;
  char text[4 * ZONE_NAME_MAX + 1];
  size_t n;

  if(!pkt)
    return 0;
  memcpy(pkt, data, size);
  if(dnsmsg_parse(pkt, size, &q) == 0) {
    if(!q.name_len || q.name_len > ZONE_NAME_MAX || q.name[q.name_len - 1])
      abort();
    n = dnsmsg_name_text(q.name, q.name_len, text, sizeof(text));
    if(!n || n > sizeof(text))
      abort();
    dnsmsg_reply_begin(&r, &q, DNS_NOERROR, true);
    if(memcmp(r.buf + DNS_HEADER_LEN, q.question, q.question_len))
      abort();
    for(int i = 0; i < 64; i++) {
      int rc = dnsmsg_reply_addr(&r, i % 2 ? v6 : v4, i % 2 ? 16 : 4, 60);
      if(r.len > DNS_UDP_MAX || (rc != 0) != ((r.buf[2] & 0x02) != 0))
        abort();
      if(rc)
        break;
    }
  }
  free(pkt);
  return 0;
}
