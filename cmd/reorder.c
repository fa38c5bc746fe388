/*
 * reorder.c - the ring behind --ordered.
 *
 * Each slot keeps its buffer between uses, so a steady run allocates
 * nothing; a buffer that grew past REORDER_KEEP (a record with a very long
 * URL) is released after use so that one odd line does not pin memory in
 * every slot it passes through.
 */
#include "reorder.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

#define REORDER_KEEP 4096

struct reorder_slot {
  bool ready;
  bool failed; /* its copy could not be made: nothing to write */
  struct sl_buf rec;
};

int reorder_init(struct reorder *ro, size_t window)
{
  memset(ro, 0, sizeof(*ro));
  if(!window) {
    window = 1;
  }
  ro->slots = calloc(window, sizeof(*ro->slots));
  if(!ro->slots) {
    return -1;
  }
  ro->window = window;
  return 0;
}

/* Writes the held records that are now next in line. */
static int release(struct reorder *ro, reorder_write_fn write, void *ud)
{
  int rc = 0;

  for(;;) {
    struct reorder_slot *s = &ro->slots[ro->next % ro->window];

    if(!s->ready) {
      return rc;
    }
    if(!s->failed && s->rec.len && write(s->rec.p, s->rec.len, ud)) {
      rc = -1;
    }
    s->ready = false;
    s->failed = false;
    sl_buf_reset(&s->rec, REORDER_KEEP);
    ro->held--;
    ro->next++;
  }
}

int reorder_put(struct reorder *ro, uint64_t index, const char *data,
                size_t len, reorder_write_fn write, void *ud)
{
  struct reorder_slot *s;
  int rc = 0;

  if(index == ro->next) {
    if(len && write(data, len, ud)) {
      rc = -1;
    }
    ro->next++;
    return release(ro, write, ud) ? -1 : rc;
  }

  s = &ro->slots[index % ro->window];
  s->ready = true;
  s->failed = false;
  ro->held++;
  if(sl_buf_append(&s->rec, data, len)) {
    s->failed = true;
    return -1;
  }
  return 0;
}

size_t reorder_room(const struct reorder *ro, uint64_t next_index)
{
  uint64_t used = next_index - ro->next;

  return used >= ro->window ? 0 : (size_t)(ro->window - used);
}

void reorder_free(struct reorder *ro)
{
  if(ro->slots) {
    for(size_t i = 0; i < ro->window; i++) {
      sl_buf_free(&ro->slots[i].rec);
    }
    free(ro->slots);
  }
  memset(ro, 0, sizeof(*ro));
}
