/*
 * container_of.h - from a pointer to a member back to the struct that
 * embeds it, the one spelling for every intrusive container here (lists,
 * heap nodes, timers, hash nodes, semaphore waiters).
 */
#ifndef SL_BASE_CONTAINER_OF_H
#define SL_BASE_CONTAINER_OF_H

#include <stddef.h>

#define sl_container_of(ptr, type, member)                                    \
  ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* Elements of a fixed-size array. */
#define SL_COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

#endif
