/*
 * domain.h - a host's registrable domain ("site"), from the Public Suffix
 * List as libpsl has it compiled in: the politeness key of
 * SL_POLITE_DOMAIN and the test of sl_url_same_site().
 */
#ifndef SL_FETCHER_DOMAIN_H
#define SL_FETCHER_DOMAIN_H

/* The registrable domain of host (lower case, no brackets): a suffix of
   host ("www.example.co.uk" -> "example.co.uk"), or host itself when it
   has none (an IP address, "localhost", a public suffix). */
const char *sl__registrable_domain(const char *host);

#endif
