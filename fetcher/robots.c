/*
 * robots.c - robots.txt parsing and matching (RFC 9309).  See robots.h.
 *
 * One pass over the lines keeps the rules of the groups that name our
 * product token and, apart, those of the "*" groups; the first set wins
 * if any group named us.  Matching follows the positions a pattern's
 * prefix can end at in the path (as Google's open-source matcher does):
 * O(path x pattern), no backtracking blow-up on "*a*a*a*".
 */
#include "fetcher/robots.h"

#include "base/array.h"
#include "base/buf.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct rule {
  bool allow;
  size_t raw_len; /* the pattern as written: its specificity */
  size_t canon;   /* offset in strs of the canonical pattern */
  size_t canon_len;
  size_t text; /* offset in strs of "Allow: pattern" */
};

struct rules {
  struct rule *v;
  size_t n, cap;
  double delay; /* -1: none */
  bool seen;    /* a group for it was seen */
};

struct sl_robots {
  struct rules ours, star;
  struct rules *use; /* &ours, &star, or NULL: allow all */
  struct sl_buf strs;
};

static bool hexdig(char c)
{
  return isxdigit((unsigned char)c);
}

/* Appends s[0..n) in canonical form: escapes in upper case, octets
   outside US-ASCII (and, for a path, '*' and '$') percent-encoded.  In a
   pattern '*' and a final '$' stay operators.  0 or -1. */
static int canon(struct sl_buf *b, const char *s, size_t n, bool pattern)
{
  static const char hex[] = "0123456789ABCDEF";
  if(sl_buf_reserve(b, n * 3))
    return -1;
  for(size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    bool op = pattern && (c == '*' || (c == '$' && i + 1 == n));
    if(c == '%' && i + 2 < n && hexdig(s[i + 1]) && hexdig(s[i + 2])) {
      char e[3] = {'%', (char)toupper((unsigned char)s[i + 1]),
                   (char)toupper((unsigned char)s[i + 2])};
      sl_buf_put(b, e, 3);
      i += 2;
    } else if(!op && (c >= 0x80 || c == '*' || c == '$')) {
      char e[3] = {'%', hex[c >> 4], hex[c & 15]};
      sl_buf_put(b, e, 3);
    } else
      sl_buf_put(b, s + i, 1);
  }
  sl_buf_terminate(b);
  return 0;
}

static int add_rule(struct sl_robots *r, struct rules *set, bool allow,
                    const char *pat, size_t n)
{
  struct rule *x;
  if(sl_array_reserve(set->v, set->cap, set->n + 1, 8))
    return -1;
  x = &set->v[set->n];
  x->allow = allow;
  x->raw_len = n;
  x->text = r->strs.len;
  if(sl_buf_puts(&r->strs, allow ? "Allow: " : "Disallow: ") ||
     sl_buf_append(&r->strs, pat, n) || sl_buf_append(&r->strs, "", 1))
    return -1;
  x->canon = r->strs.len;
  if(canon(&r->strs, pat, n, true) || sl_buf_append(&r->strs, "", 1))
    return -1;
  x->canon_len = r->strs.len - 1 - x->canon;
  set->n++;
  return 0;
}

void sl_robots_product(const char *ua, char *out, size_t cap)
{
  size_t n = 0;
  if(!cap)
    return;
  while(ua &&
        (isalnum((unsigned char)ua[n]) || ua[n] == '_' || ua[n] == '-') &&
        n + 1 < cap)
    n++;
  if(n)
    memcpy(out, ua, n);
  out[n] = '\0';
}

/* One "key: value" line, both trimmed, the comment gone.  False for a
   line with no key. */
static bool split_line(const char *s, size_t n, const char **key, size_t *klen,
                       const char **val, size_t *vlen)
{
  const char *hash = memchr(s, '#', n), *colon;
  if(hash)
    n = (size_t)(hash - s);
  colon = memchr(s, ':', n);
  if(!colon)
    return false;
  *key = s;
  *klen = (size_t)(colon - s);
  *val = colon + 1;
  *vlen = n - *klen - 1;
  while(*klen && isspace((unsigned char)(*key)[0]))
    (*key)++, (*klen)--;
  while(*klen && isspace((unsigned char)(*key)[*klen - 1]))
    (*klen)--;
  while(*vlen && isspace((unsigned char)(*val)[0]))
    (*val)++, (*vlen)--;
  while(*vlen && isspace((unsigned char)(*val)[*vlen - 1]))
    (*vlen)--;
  return *klen > 0;
}

static bool key_is(const char *k, size_t n, const char *want)
{
  return strlen(want) == n && !strncasecmp(k, want, n);
}

/* The parser's state between lines. */
struct parse {
  struct sl_robots *r;
  const char *product;
  bool in_agents;        /* the last line was a user-agent line */
  bool for_us, for_star; /* the current group's agents */
};

static void agent_line(struct parse *p, const char *v, size_t n)
{
  char val[128], tok[128];
  if(!p->in_agents)
    p->for_us = p->for_star = false;
  p->in_agents = true;
  if(n == 1 && v[0] == '*') {
    p->for_star = p->r->star.seen = true;
    return;
  }
  /* the value is not terminated: a bounded copy first */
  n = n < sizeof(val) ? n : sizeof(val) - 1;
  memcpy(val, v, n);
  val[n] = '\0';
  sl_robots_product(val, tok, sizeof(tok));
  if(*tok && p->product && !strcasecmp(tok, p->product))
    p->for_us = p->r->ours.seen = true;
}

static double parse_delay(const char *v, size_t n)
{
  char buf[32];
  char *end;
  double d;
  if(!n || n >= sizeof(buf))
    return -1;
  memcpy(buf, v, n);
  buf[n] = '\0';
  d = strtod(buf, &end);
  /* no number at all (a value that starts with a NUL octet) is none */
  return end == buf || *end || d != d || d < 0 || d > 86400 ? -1 : d;
}

/* A rule or Crawl-delay line of the current group.  0 or -1. */
static int group_line(struct parse *p, bool allow, const char *v, size_t n)
{
  struct rules *sets[2] = {p->for_us ? &p->r->ours : NULL,
                           p->for_star ? &p->r->star : NULL};
  for(int i = 0; i < 2; i++)
    if(sets[i] && n && add_rule(p->r, sets[i], allow, v, n))
      return -1;
  return 0;
}

static int one_line(struct parse *p, const char *s, size_t n)
{
  const char *k, *v;
  size_t kl, vl;
  if(!split_line(s, n, &k, &kl, &v, &vl))
    return 0;
  if(key_is(k, kl, "user-agent")) {
    agent_line(p, v, vl);
    return 0;
  }
  p->in_agents = false;
  if(key_is(k, kl, "allow") || key_is(k, kl, "disallow"))
    return group_line(p, key_is(k, kl, "allow"), v, vl);
  if(key_is(k, kl, "crawl-delay")) {
    double d = parse_delay(v, vl);
    if(p->for_us && d >= 0)
      p->r->ours.delay = d;
    if(p->for_star && d >= 0)
      p->r->star.delay = d;
  }
  return 0; /* sitemap, unknown keys: no effect on groups */
}

struct sl_robots *sl_robots_allow_all(void)
{
  struct sl_robots *r = calloc(1, sizeof(*r));
  if(r)
    r->ours.delay = r->star.delay = -1;
  return r;
}

struct sl_robots *sl_robots_parse(const char *data, size_t len,
                                  const char *product)
{
  struct sl_robots *r = sl_robots_allow_all();
  struct parse p = {r, product, false, false, false};
  size_t i = 0;
  if(!r)
    return NULL;
  if(len > SL_ROBOTS_MAX_BYTES)
    len = SL_ROBOTS_MAX_BYTES;
  if(len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
    i = 3; /* a UTF-8 byte order mark */
  while(i < len) {
    size_t n = 0;
    while(i + n < len && data[i + n] != '\n' && data[i + n] != '\r')
      n++;
    if(one_line(&p, data + i, n)) {
      sl_robots_free(r);
      return NULL;
    }
    i += n + 1;
  }
  r->use = r->ours.seen ? &r->ours : r->star.seen ? &r->star : NULL;
  return r;
}

/* Whether the canonical pattern pat[0..m) matches the start of the
   canonical path s[0..n); pos has room for n + 1 positions. */
static bool matches(const char *pat, size_t m, const char *s, size_t n,
                    size_t *pos)
{
  size_t np = 1;
  pos[0] = 0;
  for(size_t k = 0; k < m; k++) {
    if(pat[k] == '$' && k + 1 == m)
      return pos[np - 1] == n;
    if(pat[k] == '*') {
      np = n - pos[0] + 1; /* every position from the first on */
      for(size_t i = 1; i < np; i++)
        pos[i] = pos[i - 1] + 1;
      continue;
    }
    size_t keep = 0;
    for(size_t i = 0; i < np; i++)
      if(pos[i] < n && s[pos[i]] == pat[k])
        pos[keep++] = pos[i] + 1;
    np = keep;
    if(!np)
      return false;
  }
  return true;
}

/* The rule of set that decides for the canonical path, or NULL. */
static const struct rule *decide(const struct rules *set, const char *s,
                                 size_t n, const char *strs, size_t *pos)
{
  const struct rule *best = NULL;
  for(size_t i = 0; i < set->n; i++) {
    const struct rule *x = &set->v[i];
    if(best && (x->raw_len < best->raw_len ||
                (x->raw_len == best->raw_len && !x->allow)))
      continue; /* cannot win: shorter, or a tie that allow keeps */
    if(matches(strs + x->canon, x->canon_len, s, n, pos))
      best = x;
  }
  return best;
}

bool sl_robots_allowed(const struct sl_robots *r, const char *path,
                       const char **rule)
{
  struct sl_buf b = {0};
  const struct rule *x = NULL;
  size_t *pos;
  if(rule)
    *rule = NULL;
  if(!r || !r->use || !strcmp(path, "/robots.txt"))
    return true;
  if(canon(&b, path, strlen(path), false) ||
     !(pos = malloc((b.len + 1) * sizeof(*pos)))) {
    sl_buf_free(&b);
    return true; /* out of memory: not a reason to refuse */
  }
  x = decide(r->use, b.p, b.len, r->strs.p, pos);
  free(pos);
  sl_buf_free(&b);
  if(x && rule)
    *rule = r->strs.p + x->text;
  return !x || x->allow;
}

double sl_robots_crawl_delay(const struct sl_robots *r)
{
  return r && r->use ? r->use->delay : -1;
}

void sl_robots_free(struct sl_robots *r)
{
  if(!r)
    return;
  free(r->ours.v);
  free(r->star.v);
  sl_buf_free(&r->strs);
  free(r);
}
