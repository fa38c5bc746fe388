/*
 * reorder.h - holds formatted records back until their turn, for
 * --ordered (asyncio.gather's input order, streamed).
 *
 * A ring of `window` slots indexed by record index: record i waits in
 * slot i % window until every record before it has gone out.  The pump
 * never lets a URL start more than `window` indexes after the oldest
 * record not yet written, so the ring never overflows and memory is
 * bounded by the window, not by the input.
 */
#ifndef SLUICE_CMD_REORDER_H
#define SLUICE_CMD_REORDER_H

#include <stddef.h>
#include <stdint.h>

struct reorder_slot;

struct reorder {
  struct reorder_slot *slots;
  size_t window;
  uint64_t next; /* the index of the next record to write */
  size_t held;   /* records waiting in the ring */
};

/* Writes len bytes of a record, in order; returns 0 or -1. */
typedef int (*reorder_write_fn)(const char *data, size_t len, void *ud);

/* 0, or -1 when memory ran out. */
int reorder_init(struct reorder *ro, size_t window);

/* Hands over the record of index (which must lie in [next, next +
   window) and not have been handed over before): written at once with
   write when it is next, followed by any held records it was keeping
   back, else copied into the ring.  len may be 0 (a record that could
   not be formatted still takes its turn).  Returns 0, or -1 when the
   copy could not be made (out of memory) or a write failed: the record
   then counts as written, so later ones are not held forever. */
int reorder_put(struct reorder *ro, uint64_t index, const char *data,
                size_t len, reorder_write_fn write, void *ud);

/* How many indexes from next the pump may still start without
   overflowing the ring. */
size_t reorder_room(const struct reorder *ro, uint64_t next_index);

void reorder_free(struct reorder *ro);

#endif
