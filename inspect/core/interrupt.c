#include "core/interrupt.h"

#include <signal.h>
#include <stddef.h>

static volatile sig_atomic_t arrived;

static void note_signal(int sig)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};

	arrived = sig;
	/* The next one of either kind is not asked twice. */
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
}

void interrupt_install(void)
{
	struct sigaction sa = {.sa_handler = note_signal, .sa_flags = SA_RESTART};
	struct sigaction old;

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	/* A shell runs background jobs with SIGINT ignored: keep it so. */
	if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
		sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int interrupt_signal(void)
{
	return arrived;
}

const char *interrupt_name(void)
{
	return arrived == SIGINT ? "SIGINT" : arrived == SIGTERM ? "SIGTERM" : NULL;
}

int interrupt_exit_code(int rc)
{
	return arrived ? 128 + arrived : rc;
}
