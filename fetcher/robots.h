/*
 * robots.h - robots.txt (RFC 9309) for one crawler: the rules of the
 * group that applies to a product token, and whether a path may be
 * fetched.  Pure: bytes in, rules out; the fetching, caching and
 * retrying of robots.txt files live with admission.
 *
 * Group: the user-agent lines whose product token equals ours (without
 * regard to case) pick their groups, all of them combined; when none
 * does, the "*" groups; when there are none either, everything is
 * allowed.  Rules: the longest matching pattern (in octets, as written)
 * decides, Allow winning a tie; "*" matches any run of octets and a
 * final "$" the end of the path.  Paths and patterns are compared with
 * percent-escapes in upper case and octets outside US-ASCII (and a
 * path's own "*" and "$") percent-encoded, so "%2A" in a rule matches a
 * literal "*" and "%c3%a9" matches "é".  "/robots.txt" is always allowed.
 */
#ifndef SL_FETCHER_ROBOTS_H
#define SL_FETCHER_ROBOTS_H

#include <stdbool.h>
#include <stddef.h>

/* At most this much of a file is read (RFC 9309 asks for 500 KiB). */
#define SL_ROBOTS_MAX_BYTES (512 * 1024)

struct sl_robots;

/* Rules of data[0..len) (at most SL_ROBOTS_MAX_BYTES of it) for the
   product token (as "sluice" of "sluice/1.0"; NULL or "": only the "*"
   groups).  NULL only when memory runs out. */
struct sl_robots *sl_robots_parse(const char *data, size_t len,
                                  const char *product);

/* An empty rule set: everything allowed (a 4xx answer). */
struct sl_robots *sl_robots_allow_all(void);

/* Whether path (the URL's path and query, "/a/b?c") may be fetched.
   *rule, when not NULL, is set to the rule that decided ("Disallow:
   /a/": its kind and its pattern as written; valid while r lives) or
   NULL when none matched. */
bool sl_robots_allowed(const struct sl_robots *r, const char *path,
                       const char **rule);

/* The group's Crawl-delay in seconds, or -1 when it has none. */
double sl_robots_crawl_delay(const struct sl_robots *r);

/* The product token of a User-Agent value: its leading run of letters,
   digits, '_' and '-' ("sluice" of "sluice/0.1 (+url)"), copied into
   out (size cap).  "" when it has none. */
void sl_robots_product(const char *user_agent, char *out, size_t cap);

void sl_robots_free(struct sl_robots *r);

#endif
