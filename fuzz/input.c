/*
 * input.c - fuzzes the URL-list reader (cmd/input.c): the bytes of a
 * list are fed to it in pieces of the fuzzer's choosing, and every line
 * it hands out is compared with a plain reference split of the whole
 * input (lines at '\n', a byte-order mark skipped at the start, white
 * space trimmed, blank and '#' lines skipped, lines over INPUT_MAX_LINE
 * cut to their first INPUT_LONG_PREFIX bytes).  The fuzz build makes
 * both limits small, so that its short inputs reach the paths of
 * too-long lines and of lines that straddle refills.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/input.h"

struct feed {
  const uint8_t *data;
  size_t len, off;
  size_t piece; /* bytes per read; 0: as many as asked */
};

static long feed_read(void *ud, char *buf, size_t n)
{
  struct feed *f = ud;
  size_t k = f->len - f->off;

  if(k > n)
    k = n;
  if(f->piece && k > f->piece)
    k = f->piece;
  memcpy(buf, f->data + f->off, k);
  f->off += k;
  return (long)k;
}

/* The reference: the line raw[0..n), line number lineno, as input_next
   must report it (0 when it must skip it).  Written apart from
   cmd/input.c on purpose: trimming by span of the white-space set. */
static int expect(const uint8_t *raw, size_t n, uint64_t lineno,
                  struct input_line *want)
{
  static const char space[] = " \t\r\n\v\f";
  size_t cut =
      n > INPUT_MAX_LINE && n > INPUT_LONG_PREFIX ? INPUT_LONG_PREFIX : n;
  size_t from =
      lineno == 1 && cut >= 3 && !memcmp(raw, "\xEF\xBB\xBF", 3) ? 3 : 0;
  size_t to = cut;

  while(from < to && raw[from] && strchr(space, raw[from]))
    from++;
  while(n <= INPUT_MAX_LINE && to > from && raw[to - 1] &&
        strchr(space, raw[to - 1]))
    to--;
  if(from == to || raw[from] == '#')
    return 0;
  want->data = (const char *)raw + from;
  want->len = to - from;
  want->lineno = lineno;
  want->too_long = n > INPUT_MAX_LINE;
  want->raw_len = want->too_long ? n : want->len;
  want->has_nul = memchr(raw + from, 0, want->len) != NULL;
  return 1;
}

static void check(const struct input_line *got, const struct input_line *want)
{
  if(got->len != want->len || memcmp(got->data, want->data, got->len) ||
     got->lineno != want->lineno || got->too_long != want->too_long ||
     got->raw_len != want->raw_len || got->has_nul != want->has_nul)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct feed f;
  struct input *in;
  struct input_line got, want;
  size_t pos = 0;
  uint64_t lineno = 0;

  if(!size)
    return 0;
  f.piece = data[0] % 8 == 0 ? 0 : data[0] % 37;
  f.data = data + 1;
  f.len = size - 1;
  f.off = 0;
  in = input_new_reader(feed_read, &f);
  if(!in)
    return 0;
  while(pos < f.len) {
    const uint8_t *nl = memchr(f.data + pos, '\n', f.len - pos);
    size_t n = nl ? (size_t)(nl - (f.data + pos)) : f.len - pos;
    if(expect(f.data + pos, n, ++lineno, &want)) {
      if(input_next(in, &got) != 1)
        abort();
      check(&got, &want);
    }
    pos += n + 1;
  }
  if(input_next(in, &got) != 0)
    abort();
  input_close(in);
  return 0;
}
