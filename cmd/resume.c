/*
 * resume.c - --resume.  See resume.h.
 *
 * The results file is read first, one record a line, with jansson (it
 * is JSON from sluice, but a file that is not must be told apart from
 * one that is, and jansson says where a line goes wrong).  Of each
 * record only its index and a 64-bit hash of its URL are kept, sorted by
 * index: 16 bytes a record, for the check only.  A last line without its
 * newline is the one a killed run was writing: it is dropped, and cut
 * off the file before anything is appended.
 *
 * The fingerprint of the list is the file itself: every record names
 * the URL of its index.  Before anything is fetched, the pump reads the
 * input from the start through the highest index the file has, and each
 * URL of an index with a record must be that record's URL: another one
 * means another list (exit 2, the file untouched).  The indexes below
 * that without a record (in flight at the kill, or finished within its
 * last flush interval) are kept aside, and fetched first; then the input
 * goes on from there.  So the check costs one pass over the part already
 * done, in index order, with a cursor over the sorted records.
 *
 * URLs are compared as records hold them: base/json.h writes each byte
 * that is not part of valid UTF-8 as U+FFFD, so the input's URL is hashed
 * with those bytes made U+FFFD too, as jansson reads the record's back.
 */
#include "resume.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/array.h"
#include "base/hash.h"
#include "base/json.h"

/* The hash's key: fixed, so both sides hash alike. */
#define K0 UINT64_C(0x736c756963652d72)
#define K1 UINT64_C(0x6573756d652d7631)

/* One record: its index and its URL's hash. */
struct seen {
  uint64_t index, hash;
};

struct resume_seen {
  struct seen *v;
  size_t n, cap, at; /* at: the check's cursor */
};

/* A line kept by resume_hold(), followed by its len bytes. */
struct hole {
  uint64_t index, lineno, raw_len;
  size_t len;
  bool too_long, has_nul;
};

/* The hash of url as a record holds it (see the top). */
static uint64_t url_hash(struct resume *rs, const char *url, size_t len)
{
  const unsigned char *s = (const unsigned char *)url;
  size_t n;

  sl_buf_truncate(&rs->norm, 0);
  for(size_t i = 0; i < len; i += n) {
    n = s[i] < 0x80 ? 1 : sl_utf8_seq(s + i, len - i);
    if(n ? sl_buf_append(&rs->norm, s + i, n)
         : sl_buf_append(&rs->norm, "\xef\xbf\xbd", 3)) {
      return 0; /* out of memory: a mismatch, said as such below */
    }
    n = n ? n : 1;
  }
  return sl_siphash(K0, K1, rs->norm.p ? rs->norm.p : "", rs->norm.len);
}

/* One line (without its newline) of the file: its record kept.  0, or
   why it is not a record (a static message). */
static const char *take_record(struct resume *rs, const char *line, size_t len,
                               json_error_t *err)
{
  json_t *rec = json_loadb(line, len, JSON_ALLOW_NUL, err);
  json_t *index = json_object_get(rec, "index");
  json_t *url = json_object_get(rec, "url");
  struct resume_seen *sn = rs->seen;
  const char *why = NULL;

  if(!rec) {
    why = err->text;
  } else if(!json_is_integer(index) || json_integer_value(index) < 0 ||
            !json_is_string(url)) {
    why = "no \"index\" and \"url\"";
  } else if(sl_array_reserve(sn->v, sn->cap, sn->n + 1, 1024)) {
    why = "out of memory";
  } else {
    sn->v[sn->n].index = (uint64_t)json_integer_value(index);
    sn->v[sn->n++].hash =
        url_hash(rs, json_string_value(url), json_string_length(url));
  }
  json_decref(rec);
  return why;
}

static int by_index(const void *a, const void *b)
{
  const struct seen *x = a, *y = b;

  return x->index < y->index ? -1 : x->index > y->index;
}

/* Sorts the records and drops repeats of one; 0, or -1 when an index
   has two different URLs. */
static int settle(struct resume *rs)
{
  struct resume_seen *sn = rs->seen;
  size_t k = 0;

  qsort(sn->v, sn->n, sizeof(sn->v[0]), by_index);
  for(size_t i = 0; i < sn->n; i++) {
    if(k && sn->v[k - 1].index == sn->v[i].index) {
      if(sn->v[k - 1].hash != sn->v[i].hash) {
        fprintf(stderr,
                "sluice: --resume: '%s' has two records of index %" PRIu64
                " with different URLs: not one run's results\n",
                rs->path, sn->v[i].index);
        return -1;
      }
      continue;
    }
    sn->v[k++] = sn->v[i];
  }
  sn->n = k;
  rs->records = k;
  rs->n = k ? sn->v[k - 1].index + 1 : 0;
  return 0;
}

/* Every whole line of f.  0, or the exit status after saying why. */
static int read_records(struct resume *rs, FILE *f)
{
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  ssize_t len;
  json_error_t err;
  int rc = 0;

  while(!rc && (len = getline(&line, &cap, f)) > 0 && line[len - 1] == '\n') {
    const char *why = take_record(rs, line, (size_t)len - 1, &err);

    lineno++;
    rs->whole += len;
    if(why) {
      fprintf(stderr,
              "sluice: --resume: '%s' line %zu is not a record of sluice "
              "(%s)\n",
              rs->path, lineno, why);
      rc = strcmp(why, "out of memory") ? RESUME_NOT_RESULTS : RESUME_FAILED;
    }
  }
  if(!rc && ferror(f)) {
    fprintf(stderr, "sluice: --resume: reading '%s': %s\n", rs->path,
            strerror(errno));
    rc = RESUME_FAILED;
  }
  free(line);
  return rc;
}

int resume_load(struct resume *rs, const char *path)
{
  FILE *f;
  int rc;

  memset(rs, 0, sizeof(*rs));
  rs->path = strdup(path);
  rs->seen = calloc(1, sizeof(*rs->seen));
  if(!rs->path || !rs->seen) {
    fputs("sluice: out of memory\n", stderr);
    return RESUME_FAILED;
  }
  f = fopen(path, "re");
  if(!f) {
    if(errno == ENOENT) {
      return 0; /* nothing done yet: a fresh run */
    }
    fprintf(stderr, "sluice: --resume: cannot read '%s': %s\n", path,
            strerror(errno));
    return RESUME_NOT_RESULTS;
  }
  rc = read_records(rs, f);
  fclose(f);
  if(!rc && settle(rs)) {
    rc = RESUME_NOT_RESULTS;
  }
  return rc;
}

int resume_match(struct resume *rs, uint64_t index, const char *url,
                 size_t len)
{
  struct resume_seen *sn = rs->seen;

  while(sn->at < sn->n && sn->v[sn->at].index < index) {
    sn->at++; /* never: the check visits every index in order */
  }
  if(sn->at == sn->n || sn->v[sn->at].index != index) {
    return 0;
  }
  return sn->v[sn->at++].hash == url_hash(rs, url, len) ? 1 : -1;
}

int resume_hold(struct resume *rs, uint64_t index,
                const struct input_line *line)
{
  struct hole h = {index,     line->lineno,   line->raw_len,
                   line->len, line->too_long, line->has_nul};

  if(sl_buf_reserve(&rs->holes, sizeof(h) + line->len)) {
    return -1;
  }
  sl_buf_put(&rs->holes, &h, sizeof(h));
  sl_buf_put(&rs->holes, line->data, line->len);
  return 0;
}

void resume_checked(struct resume *rs)
{
  if(rs->seen) {
    free(rs->seen->v);
    free(rs->seen);
    rs->seen = NULL;
  }
  sl_buf_free(&rs->norm);
}

bool resume_next_hole(struct resume *rs, uint64_t *index,
                      struct input_line *line)
{
  struct hole h;

  if(rs->hole_at >= rs->holes.len) {
    return false;
  }
  memcpy(&h, rs->holes.p + rs->hole_at, sizeof(h));
  memset(line, 0, sizeof(*line));
  line->data = rs->holes.p + rs->hole_at + sizeof(h);
  line->len = h.len;
  line->lineno = h.lineno;
  line->raw_len = h.raw_len;
  line->too_long = h.too_long;
  line->has_nul = h.has_nul;
  *index = h.index;
  rs->hole_at += sizeof(h) + h.len;
  return true;
}

int resume_open(const struct resume *rs)
{
  int fd = open(rs->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);

  if(fd >= 0 && ftruncate(fd, rs->whole)) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

void resume_free(struct resume *rs)
{
  resume_checked(rs);
  sl_buf_free(&rs->holes);
  free(rs->path);
  rs->path = NULL;
}
