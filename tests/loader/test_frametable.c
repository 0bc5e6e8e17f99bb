/* frametable: ranges found by address, as an unwinder asks; and found
 * right while another thread changes the table, and from a signal handler
 * that interrupted a change in its own thread (a crash handler's
 * backtrace), which must never wait for the writer it interrupted. */
#include "frametable.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#define STABLE 8
#define PAGE   0x1000u

static char owners[STABLE], churner;

static uintptr_t stable_at(int i)
{
	return PAGE * (uintptr_t)(i + 1);
}

static void add_stable(void)
{
	for (int i = 0; i < STABLE; i++)
		cr_assert_eq(frametable_add(stable_at(i), stable_at(i) + PAGE / 2, &owners[i]), 0);
}

Test(frametable, finds_the_range_holding_an_address_and_forgets_a_removed_one)
{
	cr_assert_null(frametable_find(0x5000), "an empty table");
	add_stable();
	cr_assert_eq(frametable_find(stable_at(3)), &owners[3], "the first byte");
	cr_assert_eq(frametable_find(stable_at(3) + PAGE / 2 - 1), &owners[3], "the last byte");
	cr_assert_null(frametable_find(stable_at(3) + PAGE / 2), "the end is outside");
	cr_assert_null(frametable_find(stable_at(0) - 1));
	frametable_remove(&owners[3]);
	cr_assert_null(frametable_find(stable_at(3)), "removed");
	cr_assert_eq(frametable_find(stable_at(2)), &owners[2], "its neighbours stay");
	cr_assert_eq(frametable_find(stable_at(4)), &owners[4]);
	frametable_remove(&owners[3]); /* twice: nothing to do */
	cr_assert_eq(frametable_find(stable_at(7)), &owners[7]);
}

Test(frametable, grows_past_its_first_blocks_and_shrinks_back)
{
	static char many[1000];

	for (int i = 0; i < 1000; i++)
		cr_assert_eq(frametable_add(PAGE * (uintptr_t)(i + 1), PAGE * (uintptr_t)(i + 2),
		                            &many[i]),
		             0);
	for (int i = 0; i < 1000; i += 97)
		cr_assert_eq(frametable_find(PAGE * (uintptr_t)(i + 1) + 5), &many[i]);
	for (int i = 0; i < 1000; i += 2)
		frametable_remove(&many[i]);
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(frametable_find(PAGE * (uintptr_t)(i + 1)), i % 2 ? &many[i] : NULL,
		             "range %d", i);
}

/* ---- While the table changes ---- */

#define CHURN_AT (PAGE * 4096)
#define CHANGES  20000

static volatile int stop;

/* 0 if every stable range was found as its own and the churning range as
 * the churner's or not at all, else the number of wrong answers. */
static unsigned wrong_answers(unsigned rounds)
{
	unsigned wrong = 0;

	for (unsigned r = 0; r < rounds; r++) {
		int i = (int)(r % STABLE);
		const void *c = frametable_find(CHURN_AT + 8);
		wrong += frametable_find(stable_at(i) + 8) != &owners[i];
		wrong += c != NULL && c != &churner;
	}
	return wrong;
}

static void *reader(void *arg)
{
	unsigned wrong = 0;

	(void)arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED))
		wrong += wrong_answers(64);
	return (void *)(uintptr_t)wrong;
}

static void churn_once(void)
{
	cr_assert_eq(frametable_add(CHURN_AT, CHURN_AT + PAGE, &churner), 0);
	frametable_remove(&churner);
}

static void churn(void)
{
	for (int i = 0; i < CHANGES; i++)
		churn_once();
}

Test(frametable, readers_in_other_threads_always_find_what_stays)
{
	pthread_t t[2];
	void *wrong;

	add_stable();
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, reader, NULL);
	churn();
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], &wrong);
		cr_assert_eq((uintptr_t)wrong, 0, "reader %d got %zu wrong answers", i,
		             (size_t)(uintptr_t)wrong);
	}
}

#define HANDLED 5000

static volatile sig_atomic_t handled, handled_wrong;

static void on_signal(int sig)
{
	(void)sig;
	handled_wrong += wrong_answers(STABLE) != 0;
	handled++;
}

struct target {
	pthread_t thread;
	volatile int done;
};

static void *interrupt(void *arg)
{
	struct target *t = arg;

	while (!t->done)
		pthread_kill(t->thread, SIGUSR1);
	return NULL;
}

/* The handler runs in the writer's thread, at any point of a change:
 * had the reader to wait for the writer, the test would hang. */
Test(frametable, a_signal_handler_that_interrupts_a_change_finds_without_waiting, .timeout = 20)
{
	struct target target = {pthread_self(), 0};
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
	pthread_t t;

	add_stable();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	pthread_create(&t, NULL, interrupt, &target);
	while (handled < HANDLED)
		churn_once();
	target.done = 1;
	pthread_join(t, NULL);
	cr_assert_eq(handled_wrong, 0, "%d of %d handler runs got a wrong answer",
	             (int)handled_wrong, (int)handled);
}
