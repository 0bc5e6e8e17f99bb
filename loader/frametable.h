/*
 * frametable: where the libraries libsoload maps lie, for an unwinder that
 * asks which one holds a return address (our _dl_find_object, unwind.c).
 * It is asked from any thread at any time, from a crash handler's
 * backtrace too, which may have interrupted a change of the table in its
 * own thread: so a reader never takes a lock nor waits for a writer.
 * Writers, serialised by a mutex, change the copy readers are not reading
 * and then flip a version that tells readers which copy is current; a
 * reader that sees the version move while it searched searches again.
 */
#ifndef SL_FRAMETABLE_H
#define SL_FRAMETABLE_H

#include <stdint.h>

/* Records [start, end) as owner's. 0, or -1 when memory ran out. */
int frametable_add(uintptr_t start, uintptr_t end, const void *owner);
/* Forgets owner's range, if recorded. */
void frametable_remove(const void *owner);
/* The owner of the range holding addr, or NULL; async-signal-safe. */
const void *frametable_find(uintptr_t addr);

#endif
