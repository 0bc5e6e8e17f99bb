/*
 * sys: the system calls every load makes (opening, reading and mapping a
 * library and ldconfig's cache), made straight to the kernel, as the
 * system's loader makes its own. In a fresh process each of glibc's
 * wrappers (open, fstatat, pread, mmap, munmap, mprotect, madvise, close)
 * lies on a page of libc's text the process has not run yet, and the
 * first touch of a page costs more than the call: a first load of liblzma
 * ran eight of them, and took 7% less time without (bench/README.md). Nor
 * are these cancellation points, which a load holding the registry lock
 * must not meet. Each returns what its wrapper returns, and sets errno on
 * failure as it does. The share cache's files (relro_share.c) keep libc's
 * calls. x86-64 only, as the loader is.
 */
#ifndef SL_SYS_H
#define SL_SYS_H

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

/* x86-64's page: the only size the kernel maps a file in for user space. */
#define SYS_PAGE_SIZE 4096UL

static inline long sys_call6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
	                 : "rcx", "r11", "memory");
	return ret;
}

/* The kernel's -errno in [-4095, -1] as errno and -1. */
static inline long sys_result(long ret)
{
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

static inline int sys_open(const char *path, int flags)
{
	return (int)sys_result(sys_call6(SYS_openat, AT_FDCWD, (long)path, flags, 0, 0, 0));
}

static inline int sys_close(int fd)
{
	return (int)sys_result(sys_call6(SYS_close, fd, 0, 0, 0, 0, 0));
}

/* fstat(fd), as fstatat(fd, "", AT_EMPTY_PATH): the "" on the stack,
 * whose page is in use (the kernel reading it from a cold page of
 * read-only data faulted that page in). */
static inline int sys_fstat(int fd, struct stat *st)
{
	char empty[1] = "";

	return (int)sys_result(
	        sys_call6(SYS_newfstatat, fd, (long)empty, (long)st, AT_EMPTY_PATH, 0, 0));
}

/* stat(path): the file a path names now. */
static inline int sys_stat(const char *path, struct stat *st)
{
	return (int)sys_result(sys_call6(SYS_newfstatat, AT_FDCWD, (long)path, (long)st, 0, 0, 0));
}

static inline ssize_t sys_pread(int fd, void *buf, size_t n, off_t offset)
{
	return sys_result(sys_call6(SYS_pread64, fd, (long)buf, (long)n, offset, 0, 0));
}

static inline void *sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset)
{
	long ret = sys_result(sys_call6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, offset));

	return ret == -1 ? MAP_FAILED : (void *)ret;
}

static inline int sys_munmap(void *addr, size_t len)
{
	return (int)sys_result(sys_call6(SYS_munmap, (long)addr, (long)len, 0, 0, 0, 0));
}

static inline int sys_getpid(void)
{
	return (int)sys_call6(SYS_getpid, 0, 0, 0, 0, 0, 0);
}

/* process_vm_writev(pid, local, n, remote, n, 0). */
static inline ssize_t sys_process_vm_writev(int pid, const struct iovec *local,
                                            unsigned long nlocal, const struct iovec *remote,
                                            unsigned long nremote)
{
	return sys_result(sys_call6(SYS_process_vm_writev, pid, (long)local, (long)nlocal,
	                            (long)remote, (long)nremote, 0));
}

static inline int sys_mprotect(void *addr, size_t len, int prot)
{
	return (int)sys_result(sys_call6(SYS_mprotect, (long)addr, (long)len, prot, 0, 0, 0));
}

static inline int sys_madvise(void *addr, size_t len, int advice)
{
	return (int)sys_result(sys_call6(SYS_madvise, (long)addr, (long)len, advice, 0, 0, 0));
}

#endif
