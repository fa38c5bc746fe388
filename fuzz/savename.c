/*
 * savename.c - fuzzes the --output-dir name mapper (cmd/savename.c):
 * whatever the URL (and, for the first bytes, the template), a name is
 * relative, of non-empty components joined by '/', none "." or ".." or
 * starting with '.', each at most SAVENAME_COMPONENT_MAX bytes, with no
 * NUL or control byte inside: it can never leave the directory; with
 * the built-in templates (whose literal text is safe too) every byte is
 * of SAVENAME_SAFE or a %XX escape.  Its variants keep those rules.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/savename.h"

static int is_hex(char c)
{
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') ||
         (c >= 'a' && c <= 'f');
}

/* One component c[0..n) (a variant may add "~N" to it); strict: every
   byte safe or escaped. */
static void check_component(const char *c, size_t n, int strict)
{
  if(!n || c[0] == '.' || n > SAVENAME_COMPONENT_MAX + 12)
    abort();
  for(size_t i = 0; i < n; i++) {
    if((unsigned char)c[i] < 0x20 || c[i] == 0x7f)
      abort();
    if(!strict)
      continue;
    if(c[i] == '%') {
      if(i + 2 >= n || !is_hex(c[i + 1]) || !is_hex(c[i + 2]))
        abort();
      i += 2;
    } else if(!strchr(SAVENAME_SAFE, c[i]) && c[i] != '~')
      abort();
  }
}

static void check_name(const struct sl_buf *b, int strict)
{
  const char *p = b->p, *end = b->p + b->len;
  if(!b->len || memchr(p, '\0', b->len) || *p == '/')
    abort();
  while(p < end) {
    const char *slash = memchr(p, '/', (size_t)(end - p));
    size_t n = (size_t)((slash ? slash : end) - p);
    check_component(p, n, strict);
    p += n + 1;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* the first byte picks a template (or a fuzzed one from what follows,
     up to the first NUL) */
  static const char *const tpls[] = {SAVENAME_DEFAULT, "{hash}{ext}",
                                     "{index}-{host}/{path}", "x/{path}"};
  struct sl_buf name = {0}, var = {0};
  char tpl[SAVENAME_TEMPLATE_MAX + 1];
  const char *t, *url;
  size_t len;

  if(!size)
    return 0;
  if(data[0] < 4) {
    t = tpls[data[0]];
    url = (const char *)data + 1;
    len = size - 1;
  } else {
    const uint8_t *nul = memchr(data + 1, '\0', size - 1);
    size_t tl = nul ? (size_t)(nul - data - 1) : 0;
    if(!nul || tl > SAVENAME_TEMPLATE_MAX)
      return 0;
    memcpy(tpl, data + 1, tl);
    tpl[tl] = '\0';
    if(savename_template_check(tpl))
      return 0;
    t = tpl;
    url = (const char *)nul + 1;
    len = size - tl - 2;
  }
  if(savename_make(&name, t, url, len, size) == 0) {
    check_name(&name, t != tpl);
    if(savename_variant(&var, name.p, 1 + (unsigned)(size % 1000)) == 0)
      check_name(&var, t != tpl);
  }
  sl_buf_free(&name);
  sl_buf_free(&var);
  return 0;
}
