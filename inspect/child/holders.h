/*
 * holders: a set of child processes that each load something and hold it
 * until told to stop. A holder is ready once it has printed its first line
 * on stdout; it is stopped by closing its stdin. Waiting uses one epoll over
 * the children's pidfds and pipes, so there is no polling and a holder that
 * dies is noticed at once, with what it wrote on stderr.
 */
#ifndef HOLDERS_H
#define HOLDERS_H

#include <stddef.h>
#include <sys/types.h>

struct holder {
	pid_t pid;
	int pidfd;
	int in;       /* write end of its stdin; closing it stops the holder */
	int out, err; /* read ends of its stdout and stderr, -1 once at EOF */
	char *line;   /* its stdout so far; the ready line once ready */
	size_t line_len;
	char errtext[1024]; /* the start of its stderr */
	size_t err_len;
	int ready;
	int reaped;
	int status; /* wait status once reaped */
};

struct holder_set {
	size_t n;
	struct holder *h;
	int epfd;
	char failure[1536]; /* why the set failed, naming the holder */
};

/* Starts n copies of argv (argv[0] a path). 0, or -1 with set->failure.
 * Either way holders_stop must follow: it stops whatever was started. */
int holders_start(struct holder_set *set, char *const argv[], size_t n);

/* Waits until every holder has printed its ready line, one has exited, or
 * timeout_ms has passed. 0 when all are ready, else -1 with set->failure. */
int holders_wait_ready(struct holder_set *set, int timeout_ms);

/* Closes every holder's stdin, waits for them to exit (killing any still
 * running after timeout_ms), reaps them and frees the set. Idempotent. */
void holders_stop(struct holder_set *set, int timeout_ms);

#endif
