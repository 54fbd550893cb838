/* SPDX-License-Identifier: GPL-2.0-only */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static struct test_case *tests, **tests_tail = &tests;
static char tmpdir[256];

void test_register(struct test_case *t)
{
	*tests_tail = t; /* keep file order: tests read top to bottom */
	tests_tail = &t->next;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	_exit(1);
}

const char *test_tmpdir(void)
{
	return tmpdir;
}

const char *test_path(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void remove_tree(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static bool selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

static int run_one(struct test_case *t)
{
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int status;
	pid_t pid;

	snprintf(tmpdir, sizeof(tmpdir), "%s/kvmbox-test-XXXXXX", base);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		t->fn();
		fflush(stdout);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	remove_tree(tmpdir);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		fprintf(stderr, "  killed by signal %d\n", WTERMSIG(status));
	return 1;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	signal(SIGPIPE, SIG_IGN);
	for (struct test_case *t = tests; t; t = t->next) {
		if (!selected(t->name, argc, argv))
			continue;
		if (run_one(t) == 0) {
			printf("ok %s\n", t->name);
			passed++;
		} else {
			printf("FAIL %s\n", t->name);
			failed++;
		}
		fflush(stdout);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
