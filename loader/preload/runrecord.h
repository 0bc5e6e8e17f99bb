/*
 * runrecord: what the preload did, for `soload run --report`. When
 * SOLOAD_RUN_RECORD names a file, each event is appended to it as one line
 * (one write(2) with O_APPEND, so the processes of one run share the file,
 * on a descriptor opened for that record and closed after it, so that the
 * program never finds one of ours open):
 * the event, the process id, then tab-separated fields with tab, newline
 * and backslash escaped as \t, \n and \\. Written as things happen, so a
 * program that ends with _exit or exec is recorded too. The soload command
 * reads the file back (loader/cli/run.c):
 *
 *   open   PID soload|host PATH                  a dlopen served
 *   lib    PID PATH SONAME REQUESTED STATUS RELRO SHARED PRIVATE
 *                                                a library libsoload mapped
 *   refuse PID PATH REASON                       what libsoload would not take
 */
#ifndef SL_RUNRECORD_H
#define SL_RUNRECORD_H

/* Keeps the path SOLOAD_RUN_RECORD names, if any (an absolute one: the
 * program may change directory). */
void runrecord_open(void);

/* Appends "event\tpid\tfield..." for n fields (NULL is written empty). */
void runrecord_write(const char *event, int n, const char *const *fields);

#endif
