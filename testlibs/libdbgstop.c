/* libdbgstop: frames for a debugger to name (the gdb tests of soload run). */
#include <stdio.h>
#include <unistd.h>

/* Says "ready PID" on stdout, then waits inside this library until killed. */
void dbgstop_wait(void)
{
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}

/* Stops the process with SIGILL in this very function. */
void dbgstop_trap(void)
{
	__builtin_trap();
}
