/*
 * rdebug: libsoload's libraries in the debugger's list, glibc's r_debug
 * protocol. They form a namespace of their own: a struct r_debug_extended
 * (r_version 2) appended to the chain that starts at the executable's
 * DT_DEBUG (glibc's _r_debug, whose r_next links dlmopen's namespaces),
 * with a list of public struct link_maps (l_addr, l_name, l_ld, l_next,
 * l_prev) of our own. glibc's own list, which it walks as its private
 * struct link_map, is never touched. A change is announced as glibc
 * announces one: r_state RT_ADD or RT_DELETE, a call to r_brk (where a
 * debugger keeps a breakpoint), the new list, RT_CONSISTENT, r_brk again.
 */
#ifndef SL_RDEBUG_H
#define SL_RDEBUG_H

#include <link.h>

/* Appends our namespace to the chain; before other threads load. */
void rdebug_init(void);

/* Announces a change (RT_ADD or RT_DELETE) about to be made. */
void rdebug_begin(int state);

/* Publishes the list that starts at head (NULL: empty), its l_next and
 * l_prev already set, and announces it consistent. */
void rdebug_end(struct link_map *head);

#endif
