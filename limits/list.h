/*
 * list.h - the intrusive doubly-linked list with a head and a tail that
 * the fetcher's task lists (all tasks, new tasks, a group's tasks, a
 * name's waiters) and the semaphore's waiters share.  A node is any
 * struct with two pointer fields to its own type, named by the caller so
 * that one struct can sit on several lists at once; a list is a head and
 * a tail pointer (NULL, NULL when empty).  Macros, as sys/queue.h's are,
 * so that nodes keep their own type; every argument must be an lvalue
 * without side effects (they are evaluated more than once).
 */
#ifndef SL_LIMITS_LIST_H
#define SL_LIMITS_LIST_H

#include <stddef.h>

/* Puts n at the end of the list head..tail. */
#define SL_LIST_APPEND(head, tail, n, prev, next)                             \
  do {                                                                        \
    (n)->prev = (tail);                                                       \
    (n)->next = NULL;                                                         \
    if(tail)                                                                  \
      (tail)->next = (n);                                                     \
    else                                                                      \
      (head) = (n);                                                           \
    (tail) = (n);                                                             \
  } while(0)

/* Takes n, which must be on the list head..tail, off it; its links are
   NULL afterwards. */
#define SL_LIST_REMOVE(head, tail, n, prev, next)                             \
  do {                                                                        \
    if((n)->prev)                                                             \
      (n)->prev->next = (n)->next;                                            \
    else                                                                      \
      (head) = (n)->next;                                                     \
    if((n)->next)                                                             \
      (n)->next->prev = (n)->prev;                                            \
    else                                                                      \
      (tail) = (n)->prev;                                                     \
    (n)->prev = (n)->next = NULL;                                             \
  } while(0)

#endif
