/*
 * loadpath: marks the functions every load runs. Their code goes into one
 * section, .text.hot.load_path, which the linker lays out with every other
 * .text.hot section, ahead of the rest of the text (GNU ld's and gold's
 * default scripts), so that a first load in a fresh process, which runs
 * each page of libsoload's text it needs for the first time there, needs
 * fewer pages: liblzma's 9 instead of 15, and its first load against
 * glibc's 0.96x-1.05x instead of 1.03x-1.10x (bench/README.md). Marked:
 * what the load of a library that needs nothing but glibc runs, every
 * load's part; bench/loadpath.sh lists what a load runs unmarked, and
 * what is marked but not run.
 */
#ifndef SL_LOADPATH_H
#define SL_LOADPATH_H

#define LOAD_PATH __attribute__((section(".text.hot.load_path")))

#endif
