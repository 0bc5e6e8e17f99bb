#include "core/proc_errors.h"

#include "core/grow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void proc_errors_add(struct proc_errors *e, pid_t pid, const char *what, int err)
{
	char msg[128];

	if (err == -ENOENT || err == -ESRCH)
		snprintf(msg, sizeof(msg), "exited during the scan");
	else
		snprintf(msg, sizeof(msg), "/proc/%d/%s: %s", (int)pid, what, strerror(-err));
	if (grow_for_one(&e->items, &e->cap, e->count, sizeof(*e->items), 8) != 0)
		return;
	e->items[e->count].pid = pid;
	e->items[e->count].error = strdup(msg);
	if (e->items[e->count].error)
		e->count++;
}

void proc_errors_free(struct proc_errors *e)
{
	for (size_t i = 0; i < e->count; i++)
		free(e->items[i].error);
	free(e->items);
	e->items = NULL;
	e->count = e->cap = 0;
}
