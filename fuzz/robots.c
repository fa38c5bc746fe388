/*
 * robots.c - fuzzes the robots.txt parser and matcher (fetcher/robots.c)
 * against a reference written here from RFC 9309 the slow, obvious way:
 *
 * - no crash, undefined behaviour, leak or quadratic blow-up (libFuzzer's
 *   timeout) on any file, product token or path;
 * - the verdict for the path, and the kind and the length of the rule
 *   that decided, are the reference's: every rule of the chosen groups
 *   (ours when a user-agent line names our product token, else "*")
 *   tried against the path by a plain dynamic-programming glob matcher,
 *   the longest pattern winning, Allow on a tie;
 * - the group's Crawl-delay is the reference's; "/robots.txt" is always
 *   allowed; parsing twice gives the same answers.
 *
 * Input: a product token line, a path line, then the robots.txt file.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetcher/robots.h"

/* One rule of the reference: the pattern canonicalised, its length as
   written, and which groups it belongs to. */
struct ref_rule {
  char *canon;
  size_t canon_len, raw_len;
  int allow, us, star;
};

struct ref {
  struct ref_rule v[512];
  size_t n;
  int seen_us, seen_star;
  double delay_us, delay_star;
};

/* The canonical form, one octet at a time: "%xx" in upper case; octets
   over 0x7f (and a path's '*' and '$') escaped; a pattern's '*' and its
   final '$' kept as operators.  out has room for 3 * n + 1. */
static size_t ref_canon(const char *s, size_t n, int pattern, char *out)
{
  size_t o = 0;
  for(size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if(c == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
       isxdigit((unsigned char)s[i + 2])) {
      o += (size_t)sprintf(out + o, "%%%c%c", toupper((unsigned char)s[i + 1]),
                           toupper((unsigned char)s[i + 2]));
      i += 2;
    } else if(c >= 0x80 || (!pattern && (c == '*' || c == '$')) ||
              (pattern && c == '$' && i + 1 < n))
      o += (size_t)sprintf(out + o, "%%%02X", c);
    else
      out[o++] = (char)c;
  }
  out[o] = '\0';
  return o;
}

/* Whether pat[0..m) matches a prefix of s[0..n): m x n table. */
static int ref_match(const char *pat, size_t m, const char *s, size_t n)
{
  /* ok[j]: the pattern so far can end at j octets of s */
  unsigned char *ok = calloc(n + 1, 1), *next = calloc(n + 1, 1);
  int any = 0;
  ok[0] = 1;
  for(size_t k = 0; k < m; k++) {
    memset(next, 0, n + 1);
    if(pat[k] == '$' && k + 1 == m) {
      int end = ok[n];
      free(ok);
      free(next);
      return end;
    }
    for(size_t j = 0, star = 0; j <= n; j++) {
      star |= pat[k] == '*' && ok[j]; /* from the first end on, all */
      if(star)
        next[j] = 1;
      else if(ok[j] && j < n && s[j] == pat[k])
        next[j + 1] = 1;
    }
    memcpy(ok, next, n + 1);
  }
  for(size_t j = 0; j <= n; j++)
    any |= ok[j];
  free(ok);
  free(next);
  return any;
}

static void trim(const char **s, size_t *n)
{
  while(*n && isspace((unsigned char)**s))
    (*s)++, (*n)--;
  while(*n && isspace((unsigned char)(*s)[*n - 1]))
    (*n)--;
}

static int is_key(const char *k, size_t n, const char *want)
{
  return n == strlen(want) && !strncasecmp(k, want, n);
}

/* A Crawl-delay value: all of it a number (as strtod reads one; not
   sscanf, which takes "6.5e" for 6.5) from 0 to 86400, or -1. */
static double ref_delay(const char *v, size_t n)
{
  char buf[32], *end;
  double d;
  if(!n || n >= sizeof(buf))
    return -1;
  memcpy(buf, v, n);
  buf[n] = '\0';
  d = strtod(buf, &end);
  if(end == buf || *end || !(d >= 0 && d <= 86400))
    return -1;
  return d;
}

/* Whether a user-agent value names product: its leading token (of the
   first 127 octets), compared without regard to case. */
static int names_us(const char *v, size_t n, const char *product)
{
  size_t t = 0;
  if(n > 127)
    n = 127;
  while(t < n && (isalnum((unsigned char)v[t]) || v[t] == '_' || v[t] == '-'))
    t++;
  return t && strlen(product) == t && !strncasecmp(v, product, t);
}

struct ref_state {
  int in_agents, us, star;
};

static void ref_line(struct ref *r, struct ref_state *st, const char *s,
                     size_t n, const char *product)
{
  const char *hash = memchr(s, '#', n), *colon, *k = s, *v;
  size_t kn, vn;
  if(hash)
    n = (size_t)(hash - s);
  if(!(colon = memchr(s, ':', n)))
    return;
  kn = (size_t)(colon - s);
  v = colon + 1;
  vn = n - kn - 1;
  trim(&k, &kn);
  trim(&v, &vn);
  if(!kn)
    return;
  if(is_key(k, kn, "user-agent")) {
    if(!st->in_agents)
      st->us = st->star = 0;
    st->in_agents = 1;
    if(vn == 1 && v[0] == '*')
      st->star = r->seen_star = 1;
    else if(names_us(v, vn, product))
      st->us = r->seen_us = 1;
    return;
  }
  st->in_agents = 0;
  if((is_key(k, kn, "allow") || is_key(k, kn, "disallow")) && vn &&
     (st->us || st->star) && r->n < sizeof(r->v) / sizeof(r->v[0])) {
    struct ref_rule *x = &r->v[r->n++];
    x->canon = malloc(3 * vn + 1);
    x->canon_len = ref_canon(v, vn, 1, x->canon);
    x->raw_len = vn;
    x->allow = is_key(k, kn, "allow");
    x->us = st->us;
    x->star = st->star;
  } else if(is_key(k, kn, "crawl-delay") && ref_delay(v, vn) >= 0) {
    if(st->us)
      r->delay_us = ref_delay(v, vn);
    if(st->star)
      r->delay_star = ref_delay(v, vn);
  }
}

/* False when the file has more rules than the reference keeps. */
static int ref_parse(struct ref *r, const char *d, size_t len,
                     const char *product)
{
  struct ref_state st = {0, 0, 0};
  size_t i = len >= 3 && !memcmp(d, "\xef\xbb\xbf", 3) ? 3 : 0;
  memset(r, 0, sizeof(*r));
  r->delay_us = r->delay_star = -1;
  while(i < len) {
    size_t n = 0;
    while(i + n < len && d[i + n] != '\r' && d[i + n] != '\n')
      n++;
    if(r->n == sizeof(r->v) / sizeof(r->v[0]))
      return 0;
    ref_line(r, &st, d + i, n, product);
    i += n + 1;
  }
  return 1;
}

/* The reference's verdict: 1 allowed, 0 refused; *len and *allow of the
   deciding rule (*len 0: none). */
static int ref_allowed(const struct ref *r, const char *path, size_t *len)
{
  char *cp = malloc(3 * strlen(path) + 1);
  size_t cn = ref_canon(path, strlen(path), 0, cp);
  int verdict = 1, use_us = r->seen_us;
  *len = 0;
  if(!r->seen_us && !r->seen_star) {
    free(cp);
    return 1;
  }
  for(size_t i = 0; i < r->n; i++) {
    const struct ref_rule *x = &r->v[i];
    if(!(use_us ? x->us : x->star) ||
       !ref_match(x->canon, x->canon_len, cp, cn))
      continue;
    if(x->raw_len > *len || (x->raw_len == *len && x->allow)) {
      *len = x->raw_len;
      verdict = x->allow;
    }
  }
  free(cp);
  return verdict;
}

static void check(const struct sl_robots *rb, const struct ref *ref,
                  const char *path)
{
  const char *rule = NULL;
  size_t len;
  int want = ref_allowed(ref, path, &len);
  bool got = sl_robots_allowed(rb, path, &rule);
  if(!strcmp(path, "/robots.txt"))
    want = 1, len = 0;
  if(got != (want == 1)) {
    fprintf(stderr, "path %s: got %d want %d (rule %s)\n", path, got, want,
            rule ? rule : "none");
    abort();
  }
  if(!len != !rule)
    abort();
  if(rule) {
    const char *p = got ? "Allow: " : "Disallow: ";
    /* the pattern as written, up to a NUL octet it may hold */
    if(strncmp(rule, p, strlen(p)) || strlen(rule) - strlen(p) > len)
      abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *d = (const char *)data, *nl1, *nl2, *file;
  char product[64], line[256], path[512];
  static struct ref ref;
  struct sl_robots *a, *b;
  size_t flen;

  if(!(nl1 = memchr(d, '\n', size)) ||
     !(nl2 = memchr(nl1 + 1, '\n', size - (size_t)(nl1 + 1 - d))))
    return 0;
  snprintf(line, sizeof(line), "%.*s", (int)(nl1 - d), d);
  sl_robots_product(line, product, sizeof(product));
  /* the path as a URL gives it: from its '/', no NUL */
  snprintf(path, sizeof(path), "/%.*s", (int)(nl2 - nl1 - 1), nl1 + 1);
  file = nl2 + 1;
  flen = size - (size_t)(file - d);
  if(flen > SL_ROBOTS_MAX_BYTES || !ref_parse(&ref, file, flen, product))
    return 0;
  a = sl_robots_parse(file, flen, product);
  b = sl_robots_parse(file, flen, product);
  if(a && b) {
    double want = ref.seen_us     ? ref.delay_us
                  : ref.seen_star ? ref.delay_star
                                  : -1;
    check(a, &ref, path);
    check(a, &ref, "/robots.txt");
    if(sl_robots_crawl_delay(a) != want || sl_robots_crawl_delay(b) != want ||
       sl_robots_allowed(a, path, NULL) != sl_robots_allowed(b, path, NULL))
      abort();
  }
  sl_robots_free(a);
  sl_robots_free(b);
  for(size_t i = 0; i < ref.n; i++)
    free(ref.v[i].canon);
  return 0;
}
