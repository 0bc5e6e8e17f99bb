/* libdbgstop: frames for a debugger to name (the gdb tests of soload run). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Traps in this constructor when DBGSTOP_TRAP_IN_CTOR is set. */
__attribute__((constructor)) static void dbgstop_ctor(void)
{
	if (getenv("DBGSTOP_TRAP_IN_CTOR"))
		__builtin_trap();
}

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
