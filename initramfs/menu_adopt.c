/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What outlives a menu. The foreground VM and each ghost VM hold a lock
 * file ("NAME\nPID\n") for as long as their process lives; they run in
 * their own sessions, so the death of the menu that started them does not
 * stop them. The menu started next finds them by those locks: a foreground
 * appliance on its terminal keeps the terminal until it ends (the menu says
 * so, refuses starts, and comes back then), a ghost is kept rather than
 * started twice. Neither is its child: how they end is not known.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initramfs/menu_priv.h"

/* Takes a lock file (the foreground's, a ghost's), or says who holds it. */
int menu_lock_take(const char *path, const char *name, char *holder, size_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		n = pread(fd, holder, size - 1, 0);
		holder[n > 0 ? n : 0] = 0;
		holder[strcspn(holder, "\n")] = 0;
		close(fd);
		return -EBUSY;
	}
	if (ftruncate(fd, 0) == 0)
		dprintf(fd, "%s\n", name);
	return fd;
}

/* "NAME\nPID\n": who holds the lock, for a menu started later. */
void menu_lock_record(int fd, const char *path, const char *name, pid_t pid)
{
	char rec[CATALOG_NAME_MAX + 32];
	int n = snprintf(rec, sizeof(rec), "%s\n%d\n", name, (int)pid);

	if (ftruncate(fd, 0) < 0 || pwrite(fd, rec, (size_t)n, 0) != n)
		log_warn("lock %s: cannot record pid %d", path, (int)pid);
}

/* The last line of a file that is not empty, "" when none. */
void menu_file_last_line(const char *path, char *out, size_t size)
{
	char tail[4096], *end, *start;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t len = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
	off_t from = len > (off_t)sizeof(tail) - 1 ? len - (off_t)sizeof(tail) + 1 : 0;
	ssize_t n = len > 0 ? pread(fd, tail, sizeof(tail) - 1, from) : -1;

	out[0] = 0;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return;
	tail[n] = 0;
	end = tail + n;
	while (end > tail && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = 0;
	start = memrchr(tail, '\n', (size_t)(end - tail));
	str_copy(out, size, start ? start + 1 : tail);
}

/*
 * The appliance's session had the console as its controlling terminal: when
 * it ended, the kernel hung the terminal up for every open file, ours too.
 * The terminal is then opened again by its name.
 */
void menu_tty_reclaim(struct menu_state *s)
{
	struct termios t;
	char path[64];
	ssize_t n;
	int fd;

	if (!s->tty || tcgetattr(0, &t) == 0)
		return;
	n = readlink("/proc/self/fd/0", path, sizeof(path) - 1);
	if (n <= 5)
		return;
	path[n] = 0;
	if (!str_starts(path, "/dev/") || (fd = open(path, O_RDWR | O_NOCTTY)) < 0) {
		log_warn("terminal %s lost after the appliance", path);
		return;
	}
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

/* Reads "NAME\nPID\n" from the lock file when somebody holds the lock. */
bool menu_lock_holder(const char *path, char name[CATALOG_NAME_MAX + 1], pid_t *pid)
{
	char rec[CATALOG_NAME_MAX + 32], *nl, *end;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint64_t v;
	ssize_t n;

	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0 || errno != EWOULDBLOCK) {
		close(fd); /* free: nothing runs (our shared lock ends with the fd) */
		return false;
	}
	n = pread(fd, rec, sizeof(rec) - 1, 0);
	close(fd);
	rec[n > 0 ? n : 0] = 0;
	nl = strchr(rec, '\n');
	if (!nl || nl == rec || (size_t)(nl - rec) > CATALOG_NAME_MAX)
		return false;
	*nl = 0;
	if ((end = strchr(nl + 1, '\n')))
		*end = 0;
	if (parse_u64(nl + 1, 2, 0x7fffffff, &v) < 0)
		return false;
	str_copy(name, CATALOG_NAME_MAX + 1, rec);
	*pid = (pid_t)v;
	return true;
}

/* Whether @pid's standard input is the terminal we are on. */
static bool on_our_terminal(pid_t pid)
{
	struct stat ours, theirs;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/fd/0", (int)pid);
	return fstat(0, &ours) == 0 && S_ISCHR(ours.st_mode) && stat(path, &theirs) == 0 &&
	       S_ISCHR(theirs.st_mode) && theirs.st_rdev == ours.st_rdev;
}

void menu_foreground_adopt(struct menu_state *s)
{
	char name[CATALOG_NAME_MAX + 1];
	const struct catalog_appliance *a;
	pid_t pid;

	/*
	 * On another terminal (a second menu) it is not ours to wait for:
	 * the lock alone refuses our starts.
	 */
	if (s->fg_pid || !menu_lock_holder(s->lock_path, name, &pid) ||
	    (kill(pid, 0) < 0 && errno == ESRCH) || !on_our_terminal(pid))
		return;
	a = catalog_find(&s->cat, name);
	s->fg_pid = pid;
	s->fg_adopted = true;
	s->fg_app = a ? (int)(a - s->cat.apps) : -1;
	s->fg_started_ns = clock_now_ns();
	str_copy(s->m.running, sizeof(s->m.running), name);
	log_info("%s (pid %d) still runs, started before this menu: waiting for it to end",
		 name, (int)pid);
	dprintf(1, "\r\nkvmbox menu: %s is running; the menu comes back when it ends.\r\n",
		a ? a->title : name);
}

void menu_foreground_check(struct menu_state *s)
{
	char name[CATALOG_NAME_MAX + 1];
	pid_t pid;
	struct termios t;

	if (!s->fg_adopted || (menu_lock_holder(s->lock_path, name, &pid) && pid == s->fg_pid))
		return;
	/* Not our child: how it ended is unknown, so it is never restarted. */
	log_info("%s (pid %d) has ended", s->m.running, (int)s->fg_pid);
	menu_message(&s->m, "%s has stopped.",
		     s->fg_app >= 0 ? s->cat.apps[s->fg_app].title : s->m.running);
	s->fg_pid = 0;
	s->fg_adopted = false;
	s->m.running[0] = 0;
	s->fg_app = -1;
	menu_tty_reclaim(s);
	/* The mode to give back is the one the appliance restored, not its raw one. */
	if (s->tty && tcgetattr(0, &t) == 0)
		s->saved = t;
	menu_tty_raw(s, true);
	s->dirty = true;
	if (s->reload_pending)
		menu_catalog_reload(s, NULL);
}
