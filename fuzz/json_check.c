/*
 * json_check.c - a strict JSON checker and string decoder, the fuzzers'
 * oracle.  See json_check.h.  A recursive-descent parser over a cursor,
 * depth-limited; every rule of RFC 8259 that a writer can break is
 * checked (control characters and bad escapes in strings, lone
 * surrogates, number syntax, trailing garbage), and every byte at or
 * above 0x80 must start a valid UTF-8 sequence.
 */
#include "json_check.h"

#include <stdint.h>
#include <string.h>

#define MAX_DEPTH 64

struct jc {
  const unsigned char *s;
  size_t len, i;
  int depth;
};

/* The length of the UTF-8 sequence at s[0..len) and its code point, or 0
   when it is not a valid one. */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
  size_t n;
  uint32_t c = s[0], min;

  if(c < 0x80) {
    *cp = c;
    return 1;
  }
  if((c & 0xE0) == 0xC0) {
    n = 2, c &= 0x1F, min = 0x80;
  } else if((c & 0xF0) == 0xE0) {
    n = 3, c &= 0x0F, min = 0x800;
  } else if((c & 0xF8) == 0xF0) {
    n = 4, c &= 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if(len < n)
    return 0;
  for(size_t k = 1; k < n; k++) {
    if((s[k] & 0xC0) != 0x80)
      return 0;
    c = (c << 6) | (s[k] & 0x3F);
  }
  if(c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
    return 0;
  *cp = c;
  return n;
}

size_t jc_utf8_len(const char *s, size_t len)
{
  uint32_t cp;
  return utf8_decode((const unsigned char *)s, len, &cp);
}

bool jc_utf8_valid(const char *s, size_t len)
{
  const unsigned char *u = (const unsigned char *)s;
  uint32_t cp;

  for(size_t i = 0, n; i < len; i += n) {
    n = utf8_decode(u + i, len - i, &cp);
    if(!n)
      return false;
  }
  return true;
}

static void put_cp(struct sl_buf *out, uint32_t c)
{
  char b[4];
  size_t n;

  if(!out)
    return;
  if(c < 0x80) {
    b[0] = (char)c, n = 1;
  } else if(c < 0x800) {
    b[0] = (char)(0xC0 | (c >> 6)), b[1] = (char)(0x80 | (c & 0x3F)), n = 2;
  } else if(c < 0x10000) {
    b[0] = (char)(0xE0 | (c >> 12));
    b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    b[2] = (char)(0x80 | (c & 0x3F)), n = 3;
  } else {
    b[0] = (char)(0xF0 | (c >> 18));
    b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    b[3] = (char)(0x80 | (c & 0x3F)), n = 4;
  }
  sl_buf_append(out, b, n);
}

static void ws(struct jc *p)
{
  while(p->i < p->len && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
                          p->s[p->i] == '\n' || p->s[p->i] == '\r'))
    p->i++;
}

/* Four hex digits after "\u". */
static bool hex4(struct jc *p, uint32_t *v)
{
  *v = 0;
  if(p->len - p->i < 4)
    return false;
  for(int k = 0; k < 4; k++) {
    unsigned char c = p->s[p->i++];
    uint32_t d = c >= '0' && c <= '9'   ? (uint32_t)(c - '0')
                 : c >= 'a' && c <= 'f' ? (uint32_t)(c - 'a' + 10)
                 : c >= 'A' && c <= 'F' ? (uint32_t)(c - 'A' + 10)
                                        : 16;
    if(d == 16)
      return false;
    *v = *v * 16 + d;
  }
  return true;
}

/* The escape after a backslash. */
static bool escape(struct jc *p, struct sl_buf *out)
{
  static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
  const char *e;
  uint32_t c, lo;

  if(p->i >= p->len)
    return false;
  if(p->s[p->i] != 'u') {
    e = p->s[p->i] ? strchr(from, p->s[p->i]) : NULL;
    if(!e)
      return false;
    p->i++;
    put_cp(out, (uint32_t)(unsigned char)to[e - from]);
    return true;
  }
  p->i++;
  if(!hex4(p, &c))
    return false;
  if(c >= 0xDC00 && c <= 0xDFFF)
    return false; /* a low surrogate alone */
  if(c >= 0xD800 && c <= 0xDBFF) {
    if(p->len - p->i < 2 || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u')
      return false;
    p->i += 2;
    if(!hex4(p, &lo) || lo < 0xDC00 || lo > 0xDFFF)
      return false;
    c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
  }
  put_cp(out, c);
  return true;
}

static bool string(struct jc *p, struct sl_buf *out)
{
  uint32_t cp;

  if(p->i >= p->len || p->s[p->i] != '"')
    return false;
  p->i++;
  while(p->i < p->len) {
    unsigned char c = p->s[p->i];
    size_t n;
    if(c == '"') {
      p->i++;
      return true;
    }
    if(c < 0x20)
      return false;
    if(c == '\\') {
      p->i++;
      if(!escape(p, out))
        return false;
      continue;
    }
    n = utf8_decode(p->s + p->i, p->len - p->i, &cp);
    if(!n)
      return false;
    if(out)
      sl_buf_append(out, p->s + p->i, n);
    p->i += n;
  }
  return false;
}

static size_t digits(struct jc *p)
{
  size_t start = p->i;
  while(p->i < p->len && p->s[p->i] >= '0' && p->s[p->i] <= '9')
    p->i++;
  return p->i - start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number(struct jc *p)
{
  size_t start;

  if(p->i < p->len && p->s[p->i] == '-')
    p->i++;
  start = p->i;
  if(!digits(p) || (p->s[start] == '0' && p->i - start > 1))
    return false;
  if(p->i < p->len && p->s[p->i] == '.') {
    p->i++;
    if(!digits(p))
      return false;
  }
  if(p->i < p->len && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
    p->i++;
    if(p->i < p->len && (p->s[p->i] == '+' || p->s[p->i] == '-'))
      p->i++;
    if(!digits(p))
      return false;
  }
  return true;
}

static bool literal(struct jc *p, const char *lit)
{
  size_t n = strlen(lit);
  if(p->len - p->i < n || memcmp(p->s + p->i, lit, n))
    return false;
  p->i += n;
  return true;
}

static bool value(struct jc *p);

/* '[' or '{' already seen; members until the closing bracket. */
static bool container(struct jc *p, bool object)
{
  char close = object ? '}' : ']';

  if(++p->depth > MAX_DEPTH)
    return false;
  p->i++;
  ws(p);
  if(p->i < p->len && p->s[p->i] == close) {
    p->i++;
    p->depth--;
    return true;
  }
  for(;;) {
    if(object) {
      if(!string(p, NULL))
        return false;
      ws(p);
      if(p->i >= p->len || p->s[p->i++] != ':')
        return false;
    }
    if(!value(p))
      return false;
    if(p->i >= p->len)
      return false;
    if(p->s[p->i] == close) {
      p->i++;
      p->depth--;
      return true;
    }
    if(p->s[p->i++] != ',')
      return false;
    ws(p);
  }
}

/* A value with the white space around it. */
static bool value(struct jc *p)
{
  bool ok;

  ws(p);
  if(p->i >= p->len)
    return false;
  switch(p->s[p->i]) {
    case '{':
      ok = container(p, true);
      break;
    case '[':
      ok = container(p, false);
      break;
    case '"':
      ok = string(p, NULL);
      break;
    case 't':
      ok = literal(p, "true");
      break;
    case 'f':
      ok = literal(p, "false");
      break;
    case 'n':
      ok = literal(p, "null");
      break;
    default:
      ok = number(p);
      break;
  }
  ws(p);
  return ok;
}

bool jc_value(const char *s, size_t len)
{
  struct jc p = {(const unsigned char *)s, len, 0, 0};
  return value(&p) && p.i == len;
}

bool jc_string(const char *s, size_t len, struct sl_buf *out)
{
  struct jc p = {(const unsigned char *)s, len, 0, 0};
  return string(&p, out) && p.i == len;
}

bool jc_member(const char *s, size_t len, const char *name, const char **v,
               size_t *vlen)
{
  struct jc p = {(const unsigned char *)s, len, 0, 0};
  struct sl_buf key = {0};
  bool found = false;

  ws(&p);
  if(p.i >= len || p.s[p.i++] != '{')
    return false;
  for(;;) {
    size_t start;
    ws(&p);
    sl_buf_truncate(&key, 0);
    if(!string(&p, &key))
      break;
    ws(&p);
    if(p.i >= len || p.s[p.i++] != ':')
      break;
    ws(&p);
    start = p.i;
    if(!value(&p))
      break;
    if(key.p && !strcmp(key.p, name) && strlen(name) == key.len) {
      *v = s + start;
      *vlen = p.i - start;
      while(*vlen && strchr(" \t\r\n", (*v)[*vlen - 1]))
        (*vlen)--;
      found = true;
      break;
    }
    if(p.i >= len || p.s[p.i++] != ',')
      break;
  }
  sl_buf_free(&key);
  return found;
}
