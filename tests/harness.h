/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal unit-test harness. Each TEST() registers itself; the program
 * runs them all (or those named on the command line), each in its own
 * child process so a crash fails one test and not the rest, and prints
 * "ok NAME" or "FAIL NAME: file:line: what", then "N passed, N failed".
 */
#ifndef KVMBOX_TEST_HARNESS_H
#define KVMBOX_TEST_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

void test_register(struct test_case *t);
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
/* A fresh empty folder for this test (removed afterwards). */
const char *test_tmpdir(void);
/* Path of a file inside test_tmpdir(). */
const char *test_path(const char *name);

#define TEST(id)                                                         \
	static void test_##id(void);                                     \
	static struct test_case test_case_##id = { #id, test_##id, 0 };  \
	__attribute__((constructor)) static void test_reg_##id(void)     \
	{                                                                \
		test_register(&test_case_##id);                          \
	}                                                                \
	static void test_##id(void)

#define CHECK(cond)                                                      \
	do {                                                             \
		if (!(cond))                                             \
			test_fail(__FILE__, __LINE__, "%s", #cond);      \
	} while (0)

#define CHECK_EQ(a, b)                                                   \
	do {                                                             \
		long long _a = (long long)(a), _b = (long long)(b);      \
		if (_a != _b)                                            \
			test_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", \
				  #a, _a, #b, _b);                       \
	} while (0)

#define CHECK_STR(a, b)                                                  \
	do {                                                             \
		const char *_a = (a), *_b = (b);                         \
		if (!_a || !_b || strcmp(_a, _b))                        \
			test_fail(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", \
				  #a, _a ? _a : "(null)", _b ? _b : "(null)"); \
	} while (0)

#define CHECK_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)

/* Deterministic pseudo-random numbers for property tests (xorshift64*). */
static inline uint64_t test_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

#endif
