/*
 * list.h - the one intrusive doubly-linked list with a head and a tail:
 * every list of the library (tasks, waiters, groups, iterators, timers,
 * socket watchers), the command line and the fixture uses it.  A node is any
 * struct with two pointer fields to its own type, named by the caller so
 * that one struct can sit on several lists at once; a list is a head and
 * a tail pointer (NULL, NULL when empty).  Macros, as sys/queue.h's are,
 * so that nodes keep their own type; every argument must be an lvalue
 * without side effects (they are evaluated more than once).
 */
#ifndef SL_BASE_LIST_H
#define SL_BASE_LIST_H

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

/* Puts n at the front of the list head..tail. */
#define SL_LIST_PREPEND(head, tail, n, prev, next)                            \
  do {                                                                        \
    (n)->prev = NULL;                                                         \
    (n)->next = (head);                                                       \
    if(head)                                                                  \
      (head)->prev = (n);                                                     \
    else                                                                      \
      (tail) = (n);                                                           \
    (head) = (n);                                                             \
  } while(0)

/* Puts n after p, which is on the list head..tail, or at the front when
   p is NULL. */
#define SL_LIST_INSERT_AFTER(head, tail, p, n, prev, next)                    \
  do {                                                                        \
    if(!(p))                                                                  \
      SL_LIST_PREPEND(head, tail, n, prev, next);                             \
    else {                                                                    \
      (n)->prev = (p);                                                        \
      (n)->next = (p)->next;                                                  \
      if((p)->next)                                                           \
        (p)->next->prev = (n);                                                \
      else                                                                    \
        (tail) = (n);                                                         \
      (p)->next = (n);                                                        \
    }                                                                         \
  } while(0)

/* Puts n on the list head..tail, kept in ascending order of the int
   field key: after every node whose key is not greater, so nodes of one
   key stay in the order they came (FIFO within a key).  The search
   starts at the tail, so a node whose key is the greatest so far costs
   one look; one with a smaller key passes every greater one (O(n)).
   Uses a pointer named sl__p of n's type. */
#define SL_LIST_INSERT_SORTED(head, tail, n, prev, next, key)                 \
  do {                                                                        \
    __typeof__(n) sl__p = (tail);                                             \
    while(sl__p && sl__p->key > (n)->key)                                     \
      sl__p = sl__p->prev;                                                    \
    SL_LIST_INSERT_AFTER(head, tail, sl__p, n, prev, next);                   \
  } while(0)

#endif
