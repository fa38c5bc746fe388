/*
 * savename.c - a saved body's name from its URL.  See savename.h.
 *
 * The URL is split by hand, leniently (any bytes, no failure): the
 * authority up to the first '/', '?' or '#'; its host after the last
 * '@', before the port's ':'; the path; the query up to '#'.  Escapes in
 * path and query are decoded first, so "%2e%2e" is "..", "%2f" a slash
 * and "%00" a NUL byte, and every byte that is not SAVENAME_SAFE is then
 * written as %XX: the only '/' in a name are the template's own.
 */
#include "savename.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/hash.h"

/* A fixed key: the same URL gives the same {hash} in every run. */
#define HASH_K0 0x736c75696365ULL /* "sluice" */
#define HASH_K1 0x7361766561736bULL

#define EXT_MAX 16 /* with the dot */

#define XSTR_(x) #x
#define XSTR(x)  XSTR_(x)

/* The parts of a URL, as byte ranges of it. */
struct url_parts {
  const char *host, *port, *path, *query;
  size_t host_len, port_len, path_len, query_len;
  bool has_query;
};

static const char *find(const char *s, const char *end, const char *set)
{
  while(s < end && (!*s || !strchr(set, *s))) {
    s++;
  }
  return s;
}

static void split_url(const char *u, size_t n, struct url_parts *p)
{
  const char *end = u + n, *s = memmem(u, n, "://", 3);
  const char *auth = s ? s + 3 : u, *aend, *h, *colon = NULL;

  memset(p, 0, sizeof(*p));
  aend = find(auth, end, "/?#");
  for(h = auth, s = auth; s < aend; s++) {
    if(*s == '@') {
      h = s + 1;
    }
  }
  if(h < aend && *h == '[') { /* IPv6: the port follows the ']' */
    const char *rb = memchr(h, ']', (size_t)(aend - h));
    colon = rb && rb + 1 < aend && rb[1] == ':' ? rb + 1 : NULL;
  } else {
    colon = memchr(h, ':', (size_t)(aend - h));
  }
  p->host = h;
  p->host_len = (size_t)((colon ? colon : aend) - h);
  if(colon) {
    p->port = colon + 1;
    p->port_len = (size_t)(aend - colon - 1);
  }
  p->path = aend;
  p->path_len = (size_t)(find(aend, end, "?#") - aend);
  s = p->path + p->path_len;
  if(s < end && *s == '?') {
    p->has_query = true;
    p->query = s + 1;
    p->query_len = (size_t)(find(s + 1, end, "#") - (s + 1));
  }
}

static int hexval(char c)
{
  if(c >= '0' && c <= '9') {
    return c - '0';
  }
  c = (char)(c | 0x20);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Appends s[0..n) with its %XX escapes decoded (a '%' that starts none
   stays). */
static int decode(struct sl_buf *b, const char *s, size_t n)
{
  for(size_t i = 0; i < n; i++) {
    char c = s[i];
    if(c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
       hexval(s[i + 2]) >= 0) {
      c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    }
    if(sl_buf_append(b, &c, 1)) {
      return -1;
    }
  }
  return 0;
}

/* Appends s[0..n) with every byte not SAVENAME_SAFE as %XX; lower case
   for a host. */
static int encode(struct sl_buf *b, const char *s, size_t n, bool lower)
{
  static const char hex[] = "0123456789ABCDEF";
  for(size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
    if(lower && c >= 'A' && c <= 'Z') {
      c = (unsigned char)(c | 0x20);
    }
    if(c && strchr(SAVENAME_SAFE, c) ? sl_buf_append(b, &c, 1)
                                     : sl_buf_append(b, esc, 3)) {
      return -1;
    }
  }
  return 0;
}

/* A segment of a decoded path: where it starts and how long it is. */
struct seg {
  size_t at, len;
};

#define MAX_SEGS 256 /* deeper paths keep their last segments */

static bool is_sep(char c)
{
  return c == '/' || c == '\\';
}

/* The segments of the decoded path d[0..n) ('/' and '\' both separate),
   dot segments resolved as RFC 3986 does.  Returns how many; *dir is
   true when the path ends with a directory (or has no segment). */
static size_t segments(const char *d, size_t n, struct seg *segs, bool *dir)
{
  size_t count = 0, i = 0;
  bool dots = false; /* the last segment was "." or ".." */
  while(i < n) {
    size_t at = i;
    while(i < n && !is_sep(d[i])) {
      i++;
    }
    dots = (i - at == 1 && d[at] == '.') ||
           (i - at == 2 && d[at] == '.' && d[at + 1] == '.');
    if(dots && i - at == 2 && count) {
      count--;
    } else if(!dots && i > at) {
      if(count == MAX_SEGS) { /* drop the first: the name keeps the end */
        memmove(segs, segs + 1, (MAX_SEGS - 1) * sizeof(*segs));
        count--;
      }
      segs[count].at = at;
      segs[count++].len = i - at;
    }
    i += i < n; /* the separator */
  }
  *dir = !count || dots || is_sep(d[n - 1]);
  return count;
}

static bool is_alnum(char c)
{
  return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* The length of the extension of name[0..n): a dot that is not the first
   byte and up to EXT_MAX - 1 letters and digits after it; 0 for none. */
static size_t ext_len(const char *name, size_t n)
{
  size_t i = n;
  while(i > 0 && n - i < EXT_MAX - 1 && is_alnum(name[i - 1])) {
    i--;
  }
  return i > 1 && i < n && name[i - 1] == '.' ? n - i + 1 : 0;
}

/* The decoded path and its segments, for {path} and {ext}. */
struct path_view {
  struct sl_buf dec;
  struct seg segs[MAX_SEGS];
  size_t nsegs;
  bool dir;
};

static int view_path(struct path_view *v, const struct url_parts *p)
{
  if(decode(&v->dec, p->path, p->path_len)) {
    return -1;
  }
  v->nsegs = segments(v->dec.p, v->dec.len, v->segs, &v->dir);
  return 0;
}

/* The last name of the path: its last segment, or "index.html". */
static const char *last_name(const struct path_view *v, size_t *n)
{
  if(v->dir) {
    *n = 10;
    return "index.html";
  }
  *n = v->segs[v->nsegs - 1].len;
  return v->dec.p + v->segs[v->nsegs - 1].at;
}

/* {path}: the segments joined by '_', "index.html" for a directory, the
   query after '@'. */
static int put_path(struct sl_buf *b, const struct path_view *v,
                    const struct url_parts *p)
{
  struct sl_buf q = {0};
  int rc = 0;
  for(size_t i = 0; i < v->nsegs && !rc; i++) {
    rc = (i && sl_buf_append(b, "_", 1)) ||
         encode(b, v->dec.p + v->segs[i].at, v->segs[i].len, false);
  }
  if(!rc && v->dir) {
    rc = sl_buf_puts(b, v->nsegs ? "_index.html" : "index.html");
  }
  if(!rc && p->has_query) {
    rc = decode(&q, p->query, p->query_len) || sl_buf_append(b, "@", 1) ||
         encode(b, q.p, q.len, false);
  }
  sl_buf_free(&q);
  return rc ? -1 : 0;
}

/* {ext}: the extension of the path's last name. */
static int put_ext(struct sl_buf *b, const struct path_view *v)
{
  size_t n, e;
  const char *last = last_name(v, &n);
  e = ext_len(last, n);
  return encode(b, last + n - e, e, false);
}

static uint64_t url_hash(const char *url, size_t len)
{
  return sl_siphash(HASH_K0, HASH_K1, url, len);
}

/* {host}: lower case, "_PORT" after it when the URL names one. */
static int put_host(struct sl_buf *b, const struct url_parts *p)
{
  if(encode(b, p->host, p->host_len, true)) {
    return -1;
  }
  if(p->port_len &&
     (sl_buf_append(b, "_", 1) || encode(b, p->port, p->port_len, false))) {
    return -1;
  }
  return 0;
}

/* A template's placeholders. */
enum ph { PH_INDEX, PH_HOST, PH_PATH, PH_HASH, PH_EXT, PH_NONE };

static enum ph placeholder(const char *s, size_t n)
{
  static const char *const names[] = {"index", "host", "path", "hash", "ext"};
  for(size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if(strlen(names[i]) == n && !memcmp(s, names[i], n)) {
      return (enum ph)i;
    }
  }
  return PH_NONE;
}

const char *savename_template_check(const char *tpl)
{
  const char *comp = tpl, *s;
  if(!*tpl) {
    return "the template is empty";
  }
  if(strlen(tpl) > SAVENAME_TEMPLATE_MAX) {
    return "the template is longer than " XSTR(SAVENAME_TEMPLATE_MAX) " bytes";
  }
  for(s = tpl;; s++) {
    if(*s == '/' || !*s) {
      size_t n = (size_t)(s - comp);
      if(!n) {
        return "the template has an empty component (a leading, doubled "
               "or trailing '/')";
      }
      if((n == 1 && *comp == '.') || (n == 2 && !memcmp(comp, "..", 2))) {
        return "the template has a '.' or '..' component";
      }
      if(!*s) {
        return NULL;
      }
      comp = s + 1;
    } else if(*s == '{') {
      const char *close = strchr(s, '}');
      if(!close || placeholder(s + 1, (size_t)(close - s - 1)) == PH_NONE) {
        return "the template has an unknown placeholder (known: {index}, "
               "{host}, {path}, {hash}, {ext})";
      }
      s = close;
    } else if(*s == '}') {
      return "the template has a '}' without its '{'";
    } else if((unsigned char)*s < 0x20 || *s == 0x7f) {
      return "the template has a control character";
    }
  }
}

/* Makes the component b[from..) one that stays in its directory: "_" for
   an empty one, a '_' before a leading dot, and one over the limit cut
   around a hash of it (its extension kept). */
static int finish_component(struct sl_buf *b, size_t from)
{
  char *c, tail[EXT_MAX + 20];
  size_t n = b->len - from, e, keep;
  if(!n) {
    return sl_buf_append(b, "_", 1);
  }
  c = b->p + from; /* not before: an empty buffer has no memory yet */
  if(*c == '.') {
    if(sl_buf_append(b, "_", 1)) {
      return -1;
    }
    c = b->p + from;
    memmove(c + 1, c, n);
    *c = '_';
    n++;
  }
  if(n <= SAVENAME_COMPONENT_MAX) {
    return 0;
  }
  e = ext_len(c, n);
  snprintf(tail, sizeof(tail), "~%016llx%.*s",
           (unsigned long long)url_hash(c, n), (int)e, c + n - e);
  keep = SAVENAME_COMPONENT_MAX - strlen(tail);
  /* never half an escape */
  if(c[keep - 1] == '%') {
    keep--;
  } else if(c[keep - 2] == '%') {
    keep -= 2;
  }
  sl_buf_truncate(b, from + keep);
  return sl_buf_puts(b, tail);
}

/* Appends what placeholder ph stands for. */
static int put_placeholder(struct sl_buf *b, enum ph ph, const char *url,
                           size_t len, uint64_t index,
                           const struct url_parts *p,
                           const struct path_view *v)
{
  switch(ph) {
    case PH_INDEX:
      return sl_buf_printf(b, "%llu", (unsigned long long)index);
    case PH_HOST:
      return put_host(b, p);
    case PH_PATH:
      return put_path(b, v, p);
    case PH_HASH:
      return sl_buf_printf(b, "%016llx",
                           (unsigned long long)url_hash(url, len));
    case PH_EXT:
      return put_ext(b, v);
    default:
      return -1;
  }
}

int savename_make(struct sl_buf *out, const char *tpl, const char *url,
                  size_t len, uint64_t index)
{
  struct url_parts p;
  struct path_view v = {0};
  size_t comp = out->len;
  int rc;

  split_url(url, len, &p);
  rc = view_path(&v, &p);
  for(const char *s = tpl; *s && !rc; s++) {
    if(*s == '{') {
      const char *close = strchr(s, '}');
      rc = put_placeholder(out, placeholder(s + 1, (size_t)(close - s - 1)),
                           url, len, index, &p, &v);
      s = close;
    } else if(*s == '/') {
      rc = finish_component(out, comp) || sl_buf_append(out, "/", 1);
      comp = out->len;
    } else {
      rc = sl_buf_append(out, s, 1);
    }
  }
  rc = rc || finish_component(out, comp);
  sl_buf_free(&v.dec);
  return rc ? -1 : 0;
}

int savename_variant(struct sl_buf *out, const char *name, unsigned n)
{
  const char *last = strrchr(name, '/');
  size_t len = strlen(name), e;
  last = last ? last + 1 : name;
  e = ext_len(last, strlen(last));
  if(sl_buf_append(out, name, len - e) || sl_buf_printf(out, "~%u", n)) {
    return -1;
  }
  return sl_buf_append(out, name + len - e, e);
}
