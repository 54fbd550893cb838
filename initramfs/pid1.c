/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PID 1 of the boot image. The order of a boot:
 *   kernel filesystems, /dev/kmsg logging, hostname;
 *   kernel command line → boot options;
 *   modules: device drivers for what is plugged in, KVM for this CPU;
 *   the network daemon, in the background (nobody waits for DHCP);
 *   the cache partition, with a bounded wait;
 *   /run/kvmbox/boot.conf, then the menu;
 *   the boot medium: the menu is already up (saying it is reading the
 *   medium) and takes the medium's catalog once it is mounted; only an
 *   appliance named on the command line waits for it before the menu.
 * Afterwards it only reacts: reaps every child (a signalfd, never a
 * handler), restarts the services that die, loads drivers for hot-plugged
 * devices, and powers off or reboots when asked. It never exits and never
 * blocks for long: waits are bounded, and they keep reaping meanwhile.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "initramfs.h"

#define SEC 1000000000ull
/* Disks show up after their driver probed them (USB sticks ~1 s later). */
#define DISK_SETTLE_NS (5 * SEC)
#define DISK_WAIT_MAX_NS (60 * SEC)
#define STOP_GRACE_MS 10000
#define KVM_WAIT_MS 30000
#define HOOK_DELAY_NS (3 * SEC)
#define MEDIUM_POLL_NS (SEC / 20)
#define DEFAULT_CACHE_DIR "/run/kvmbox/cache"
#define MEDIUM_CATALOG "/mnt/medium/kvmbox/catalog.ini"
/* There while KVM's driver loads: the menu's starts wait for it meanwhile. */
#define KVM_LOADING "/run/kvmbox/kvm-loading"

struct pid1 {
	struct evloop loop;
	struct ev_handler signals, uevents;
	struct ev_timer restart_timer, hook_timer, medium_timer;
	uint64_t medium_wait_start_ns;
	char cache_dir[256];
	struct boot_options opts;
	struct module_table mods;
	bool have_mods;
	const struct pid1_config *cfg;
	struct service svc[2]; /* net daemon, menu */
	size_t nsvc;
	struct service *menu;
	unsigned hook_step, hook_waits;
	pid_t drivers_pid, kvm_pid; /* module-loading workers, 0 when done */
	uint64_t drivers_done_ns;
	char net_mode[160];
	char *net_argv[8];
	char *menu_argv[4];
	char menu_tty[80];
};

static double uptime_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- reaping and restarting ------------------------------------------------ */

static void schedule_restarts(struct pid1 *p)
{
	uint64_t now = clock_now_ns(), soonest = 0;

	for (size_t i = 0; i < p->nsvc; i++) {
		struct service *s = &p->svc[i];
		if (!s->enabled || s->pid)
			continue;
		if (s->next_start_ns <= now) {
			service_start(s, now);
			if (s == p->menu)
				log_info("menu started %.2f s after kernel start",
					 uptime_s());
			if (s->pid)
				continue;
		}
		if (!soonest || s->next_start_ns < soonest)
			soonest = s->next_start_ns;
	}
	evloop_timer_stop(&p->loop, &p->restart_timer);
	if (soonest)
		evloop_timer_start(&p->loop, &p->restart_timer,
				   soonest > now ? soonest - now : 1, 0,
				   p->restart_timer.fn);
}

static void restart_due(struct ev_timer *t)
{
	schedule_restarts(container_of(t, struct pid1, restart_timer));
}

static void reap_all(struct pid1 *p)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		bool known = pid == p->drivers_pid || pid == p->kvm_pid;
		if (pid == p->drivers_pid) {
			p->drivers_pid = 0;
			p->drivers_done_ns = clock_now_ns();
		}
		if (pid == p->kvm_pid) {
			p->kvm_pid = 0;
			unlink(KVM_LOADING);
			log_info("KVM and network drivers ready %.2f s after kernel start",
				 uptime_s());
		}
		for (size_t i = 0; i < p->nsvc && !known; i++)
			known = service_reaped(&p->svc[i], pid, status, clock_now_ns());
		if (!known) { /* an orphan: e.g. an appliance whose menu died */
			char why[96];
			describe_exit(status, why, sizeof(why));
			log_info("orphan pid %d %s", (int)pid, why);
		}
	}
	schedule_restarts(p);
}

/* ---- power ------------------------------------------------------------------ */

/* Unattended runs leave only the console: copy the run logs' ends there. */
static void dump_run_logs(void)
{
	DIR *d = opendir("/run/kvmbox");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char path[300];
		struct buf b;

		if (n < 5 || strcmp(e->d_name + n - 4, ".log"))
			continue;
		snprintf(path, sizeof(path), "/run/kvmbox/%s", e->d_name);
		buf_init(&b);
		if (read_file(path, 4 << 20, &b) == 0 && b.len) {
			char *start = (char *)b.data;
			unsigned lines = 0;
			for (char *c = (char *)b.data + b.len; c > (char *)b.data; c--)
				if (c[-1] == '\n' && ++lines > 20) {
					start = c;
					break;
				}
			for (char *save = NULL, *l = strtok_r(start, "\n", &save); l;
			     l = strtok_r(NULL, "\n", &save))
				log_info("%s: %s", e->d_name, l);
		}
		buf_free(&b);
	}
	if (d)
		closedir(d);
}

__attribute__((noreturn)) static void power(struct pid1 *p, int cmd)
{
	if (p->opts.autotest)
		dump_run_logs();
	for (size_t i = 0; i < p->nsvc; i++)
		p->svc[i].enabled = false;
	shutdown_system(cmd, STOP_GRACE_MS);
}

static void on_signal(struct ev_handler *h, uint32_t events)
{
	struct pid1 *p = container_of(h, struct pid1, signals);
	struct signalfd_siginfo si;

	(void)events;
	while (read(h->fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			break; /* reaped below, whoever it was */
		case SIGUSR2: case SIGPWR:
			log_info("power-off asked by pid %u", si.ssi_pid);
			power(p, RB_POWER_OFF);
		case SIGUSR1:
			log_info("halt asked by pid %u", si.ssi_pid);
			power(p, RB_HALT_SYSTEM);
		case SIGTERM: case SIGINT: /* SIGINT: Ctrl-Alt-Del */
			log_info("reboot asked by pid %u", si.ssi_pid);
			power(p, RB_AUTOBOOT);
		default:
			log_info("ignoring signal %u", si.ssi_signo);
		}
	}
	reap_all(p);
}

/* ---- hot-plug: the kernel's uevents name the driver a new device needs ---- */

static void on_uevent(struct ev_handler *h, uint32_t events)
{
	struct pid1 *p = container_of(h, struct pid1, uevents);
	char msg[8192];
	ssize_t n;

	(void)events;
	while ((n = recv(h->fd, msg, sizeof(msg) - 1, MSG_DONTWAIT)) > 0) {
		bool add = false;
		const char *alias = NULL;
		msg[n] = 0;
		for (char *f = msg; f < msg + n; f += strlen(f) + 1) {
			if (!strcmp(f, "ACTION=add"))
				add = true;
			else if (str_starts(f, "MODALIAS="))
				alias = f + 9;
		}
		if (add && alias && p->have_mods) {
			int r = modprobe(&p->mods, alias);
			if (r < 0 && r != -ENOENT)
				log_warn("driver for %s: %s", alias, err_str(r));
		}
	}
}

static void open_uevents(struct pid1 *p)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_KOBJECT_UEVENT);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		log_warn("uevent socket: %s; no hot-plug drivers", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	p->uevents.fd = fd;
	p->uevents.fn = on_uevent;
	evloop_add(&p->loop, &p->uevents, EPOLLIN);
}

/* ---- start-up steps -------------------------------------------------------- */

/*
 * Driver loading runs in two short-lived children, in parallel with each
 * other and with the rest of the boot (a module's probe can take half a
 * second under emulation): device drivers, and KVM with what the VMM and
 * the network daemon open by name. PID 1 itself stays free to reap.
 */
static void load_device_drivers(struct pid1 *p)
{
	int n = coldplug(&p->mods);
	log_info("coldplug: %d driver(s) loaded", n < 0 ? 0 : n);
}

static void load_kvm(struct pid1 *p)
{
	static const char *const by_name[] = { "tun", "bridge" };
	const char *kvm = cpu_kvm_module();

	/*
	 * KVM is wanted only when an appliance starts: the boot medium's
	 * drivers go first. (In a worker only: never renice PID 1.)
	 */
	if (getpid() != 1)
		setpriority(PRIO_PROCESS, 0, 10);
	if (!kvm)
		log_warn("this CPU has no VMX/SVM: local appliances cannot run");
	else if (modprobe(&p->mods, kvm) < 0)
		log_warn("%s could not be loaded: local appliances cannot run", kvm);
	else
		log_info("%s loaded", kvm);
	for (size_t i = 0; i < ARRAY_SIZE(by_name); i++)
		if (modtable_find(&p->mods, by_name[i]))
			modprobe(&p->mods, by_name[i]);
}

/* The filesystems the medium and the cache most likely have, ahead of time. */
static void load_filesystems(struct pid1 *p)
{
	if (p->opts.medium[0])
		modprobe(&p->mods, "fs-iso9660");
	if (p->opts.cache[0]) {
		modprobe(&p->mods, "fs-ext4");
		modprobe(&p->mods, "crypto-crc32c");
	}
}

static pid_t spawn_worker(struct pid1 *p, void (*fn)(struct pid1 *))
{
	pid_t pid = fork();

	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		fn(p);
		_exit(0);
	}
	if (pid < 0) { /* no process to spare: do it ourselves */
		fn(p);
		return 0;
	}
	return pid;
}

static void load_modules(struct pid1 *p)
{
	struct utsname u;
	struct errmsg err;
	char dir[300];

	uname(&u);
	snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	if (modtable_load(&p->mods, dir, &err) < 0) {
		log_warn("no kernel modules (%s); using built-in drivers only", err.msg);
		return;
	}
	p->have_mods = true;
	open_uevents(p);
	p->drivers_pid = spawn_worker(p, load_device_drivers);
	p->kvm_pid = spawn_worker(p, load_kvm);
	mkdir("/run/kvmbox", 0755);
	if (p->kvm_pid > 0 && write_file_atomic(KVM_LOADING, "", 0, 0644) < 0)
		log_warn("cannot write %s", KVM_LOADING);
	if (p->opts.medium[0] || p->opts.cache[0])
		spawn_worker(p, load_filesystems); /* reaped like any orphan */
}

/*
 * Whether to stop looking for a disk: the device drivers are all loaded
 * and a few seconds more brought nothing, or a minute has gone by.
 */
static bool disk_wait_over(const struct pid1 *p, uint64_t start)
{
	uint64_t now = clock_now_ns();

	return now - start > DISK_WAIT_MAX_NS ||
	       (!p->drivers_pid && now > MAX(start, p->drivers_done_ns) + DISK_SETTLE_NS);
}

/* One try; -ENOENT while the device is not there (yet). */
static int try_mount(struct pid1 *p, const char *what, const char *spec,
		     const char *dir, bool ro, bool last_try)
{
	struct errmsg err = { "" };
	int r = mount_spec(p->have_mods ? &p->mods : NULL, spec, dir, ro, &err);

	if (r == -ENOENT && !last_try)
		return r;
	if (r < 0)
		log_warn("%s %s: %s", what, spec, err.msg);
	else
		log_info("%s %s mounted on %s%s %.2f s after kernel start", what,
			 spec, dir, ro ? " (read-only)" : "", uptime_s());
	return r;
}

/* Runs the loop (uevents, reaping) until @spec's device is mounted or the wait is over. */
static bool wait_and_mount(struct pid1 *p, const char *what, const char *spec,
			   const char *dir, bool ro)
{
	uint64_t start = clock_now_ns();
	int r;

	while ((r = try_mount(p, what, spec, dir, ro, disk_wait_over(p, start))) == -ENOENT)
		evloop_once(&p->loop, 50);
	return r == 0;
}

static void write_boot_conf(struct pid1 *p, const char *catalog, bool medium_waiting)
{
	struct buf b;

	/* With a test hook, init decides when the run is over, not the menu. */
	struct boot_options menu_opts = p->opts;
	menu_opts.autotest = p->opts.autotest && !p->opts.test_hook[0];

	buf_init(&b);
	mkdir("/run/kvmbox", 0755);
	if (bootconf_format(&menu_opts, p->cache_dir, catalog, medium_waiting, &b) < 0 ||
	    write_file_atomic("/run/kvmbox/boot.conf", b.data, b.len, 0644) < 0)
		log_err("could not write /run/kvmbox/boot.conf");
	else
		log_info("boot.conf: catalog %s%s, cache %s, appliance '%s', net %s%s",
			 catalog, medium_waiting ? " (boot medium awaited)" : "",
			 p->cache_dir, p->opts.appliance, p->opts.net,
			 menu_opts.autotest ? ", autotest" : "");
	buf_free(&b);
}

/* The medium's catalog when it has one, else the one in the initramfs. */
static const char *catalog_after_medium(const struct pid1 *p, bool mounted)
{
	struct stat st;

	return mounted && stat(MEDIUM_CATALOG, &st) == 0 ? MEDIUM_CATALOG
							 : p->cfg->default_catalog;
}

/* The menu's medium wait: a try every 50 ms; boot.conf tells the menu the outcome. */
static void medium_poll(struct ev_timer *t)
{
	struct pid1 *p = container_of(t, struct pid1, medium_timer);
	int r = try_mount(p, "boot medium", p->opts.medium, "/mnt/medium", true,
			  disk_wait_over(p, p->medium_wait_start_ns));

	if (r == -ENOENT)
		return;
	evloop_timer_stop(&p->loop, t);
	write_boot_conf(p, catalog_after_medium(p, r == 0), false);
}

static void prepare_storage(struct pid1 *p)
{
	str_copy(p->cache_dir, sizeof(p->cache_dir), DEFAULT_CACHE_DIR);
	if (p->opts.cache[0] &&
	    wait_and_mount(p, "cache", p->opts.cache, "/mnt/cache", false))
		str_copy(p->cache_dir, sizeof(p->cache_dir), "/mnt/cache");
	else
		log_info("cache in RAM (%s)", p->cache_dir);
	mkdir("/run/kvmbox", 0755);
	mkdir(p->cache_dir, 0755);
	p->medium_wait_start_ns = clock_now_ns();
	if (!p->opts.medium[0]) {
		write_boot_conf(p, p->cfg->default_catalog, false);
	} else if (!p->opts.appliance[0] &&
		   evloop_timer_start(&p->loop, &p->medium_timer, 1, MEDIUM_POLL_NS,
				      medium_poll) == 0) {
		/* medium_poll() runs from the loop, after this file is written. */
		write_boot_conf(p, p->cfg->default_catalog, true);
	} else {
		/* The appliance to start at once is in the medium's catalog
		 * (or no timer could be had): the menu waits for the medium. */
		bool ok = wait_and_mount(p, "boot medium", p->opts.medium, "/mnt/medium", true);
		write_boot_conf(p, catalog_after_medium(p, ok), false);
	}
	/* An appliance started at once needs /dev/kvm: let its driver finish. */
	uint64_t end = clock_now_ns() + KVM_WAIT_MS * 1000000ull;
	while (p->opts.appliance[0] && p->kvm_pid && clock_now_ns() < end)
		evloop_once(&p->loop, 50);
}

/* The terminal the kernel console really is ("tty0 ttyS0" → ttyS0). */
static void console_tty(const struct boot_options *o, char *out, size_t size)
{
	struct buf b;

	snprintf(out, size, "/dev/console");
	if (o->console[0] && !strchr(o->console, '/') &&
	    !strstr(o->console, "..")) {
		snprintf(out, size, "/dev/%s", o->console);
		return;
	}
	buf_init(&b);
	if (read_file("/sys/class/tty/console/active", 4096, &b) == 0 && b.len) {
		char *last = NULL, *save = NULL;
		for (char *w = strtok_r((char *)b.data, " \n", &save); w;
		     w = strtok_r(NULL, " \n", &save))
			last = w;
		if (last && !strcmp(last, "tty0"))
			last = "tty1";
		if (last)
			snprintf(out, size, "/dev/%s", last);
	}
	buf_free(&b);
}

static void setup_services(struct pid1 *p)
{
	const struct pid1_config *c = p->cfg;

	if (c->net_program) {
		struct service *s = &p->svc[p->nsvc++];
		size_t a = 0;
		snprintf(p->net_mode, sizeof(p->net_mode), "%s", p->opts.net);
		p->net_argv[a++] = (char *)c->net_program;
		p->net_argv[a++] = "net";
		p->net_argv[a++] = "daemon";
		p->net_argv[a++] = "--bridge";
		p->net_argv[a++] = "br0";
		p->net_argv[a++] = "--mode";
		p->net_argv[a++] = p->net_mode;
		p->net_argv[a] = NULL;
		*s = (struct service){ .name = "network daemon", .argv = p->net_argv,
				       .enabled = true };
	} else {
		log_warn("no network daemon in this build: offline");
	}
	struct service *m = &p->svc[p->nsvc++];
	console_tty(&p->opts, p->menu_tty, sizeof(p->menu_tty));
	p->menu_argv[0] = (char *)c->menu_argv[0];
	p->menu_argv[1] = (char *)c->menu_argv[1];
	p->menu_argv[2] = (char *)c->menu_argv[2];
	p->menu_argv[3] = NULL;
	/* enabled once the storage is ready and boot.conf written */
	*m = (struct service){ .name = c->menu_name, .argv = p->menu_argv,
			       .tty = p->menu_tty };
	p->menu = m;
}

/* ---- test hooks (kvmbox.test-hook=...), for the boot tests ----------------- */

static unsigned count_zombies(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	unsigned n = 0;

	while (d && (e = readdir(d))) {
		char path[300], stat[512];
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t len = fd >= 0 ? read(fd, stat, sizeof(stat) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (len <= 0)
			continue;
		stat[len] = 0;
		char *paren = strrchr(stat, ')');
		n += paren && paren[1] == ' ' && paren[2] == 'Z';
	}
	if (d)
		closedir(d);
	return n;
}

/* Orphans: a child whose own children outlive it; they become ours. */
static void make_orphans(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (int i = 0; i < 5; i++)
			if (fork() == 0) {
				usleep(200000); /* still alive when the parent dies */
				_exit(0);
			}
		_exit(0);
	}
}

/* The pid the menu recorded with the foreground lock, when that one is alive. */
static pid_t foreground_pid(void)
{
	char rec[128], *nl;
	uint64_t pid;
	ssize_t n;
	int fd = open("/run/kvmbox/foreground.lock", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = pread(fd, rec, sizeof(rec) - 1, 0);
	close(fd);
	rec[n > 0 ? n : 0] = 0;
	if (!(nl = strchr(rec, '\n')))
		return 0;
	nl[1 + strcspn(nl + 1, "\n")] = 0;
	if (parse_u64(nl + 1, 2, 0x7fffffff, &pid) < 0 || kill((pid_t)pid, 0) < 0)
		return 0;
	return (pid_t)pid;
}

static void hook_step(struct ev_timer *t)
{
	struct pid1 *p = container_of(t, struct pid1, hook_timer);
	bool kill_menu = !strcmp(p->opts.test_hook, "kill-menu");
	bool reboot = !strcmp(p->opts.test_hook, "reboot");

	evloop_timer_stop(&p->loop, t);
	/*
	 * With kvmbox.appliance=, the menu is killed while that appliance
	 * runs (it must outlive the menu): wait up to 2 min for it.
	 */
	if (kill_menu && p->hook_step == 0 && p->opts.appliance[0] && !foreground_pid() &&
	    p->hook_waits++ < 240) {
		evloop_timer_start(&p->loop, t, SEC / 2, 0, hook_step);
		return;
	}
	switch (p->hook_step++) {
	case 0:
		if (reboot) { /* the way the menu asks: SIGTERM to PID 1 */
			log_info("test-hook: asking for a reboot");
			kill(getpid(), SIGTERM);
			return;
		}
		if (kill_menu && p->menu->pid) {
			log_info("test-hook: killing the menu (pid %d); foreground appliance: pid %d",
				 (int)p->menu->pid, (int)foreground_pid());
			kill(p->menu->pid, SIGKILL);
		} else if (!kill_menu) {
			log_info("test-hook: making 5 orphans");
			make_orphans();
		}
		evloop_timer_start(&p->loop, t, HOOK_DELAY_NS, 0, hook_step);
		return;
	default:
		/*
		 * Drivers still loading or the medium still looked for on a
		 * slow machine: their result is wanted.
		 */
		if ((p->drivers_pid || p->kvm_pid || p->medium_timer.h.fd >= 0) &&
		    p->hook_step < 120) {
			evloop_timer_start(&p->loop, t, SEC / 2, 0, hook_step);
			return;
		}
		log_info("test-hook: menu started %u times, running: %s; zombies: %u",
			 p->menu->starts, p->menu->pid ? "yes" : "no", count_zombies());
		if (p->opts.autotest) {
			log_info("test-hook: done, powering off");
			power(p, RB_POWER_OFF);
		}
	}
}

/* ---- the whole of it ------------------------------------------------------- */

static void early_setup(void)
{
	int fd;

	sysinit_mount_all();
	/* Our log lines must not be rate-limited away (the default for kmsg). */
	if ((fd = open("/proc/sys/kernel/printk_devkmsg", O_WRONLY | O_CLOEXEC)) >= 0) {
		write_full(fd, "on\n", 3);
		close(fd);
	}
	if ((fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC)) >= 0)
		log_setup(fd, LOG_INFO, true, "kvmbox");
	sethostname("kvmbox", 6);
	setenv("PATH", "/bin:/sbin", 1);
	setenv("HOME", "/", 1);
	umask(022);
	reboot(RB_DISABLE_CAD); /* Ctrl-Alt-Del becomes SIGINT for us */
}

void pid1_run(const struct pid1_config *cfg)
{
	static const int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGUSR1, SIGUSR2,
				    SIGPWR, SIGHUP };
	static struct pid1 p; /* lives forever; not on a stack that could unwind */
	char cmdline[4096] = "";

	early_setup();
	p.cfg = cfg;
	p.uevents.fd = p.restart_timer.h.fd = p.hook_timer.h.fd = -1;
	p.medium_timer.h.fd = -1;
	p.restart_timer.fn = restart_due;
	log_info("init %s started %.2f s after kernel start", KVMBOX_VERSION,
		 uptime_s());
	if (evloop_init(&p.loop) < 0 ||
	    evloop_signals(&p.loop, &p.signals, sigs, ARRAY_SIZE(sigs)) < 0)
		log_err("event loop: %s; reaping only", strerror(errno));
	p.signals.fn = on_signal;
	sysinit_cmdline(cmdline, sizeof(cmdline));
	bootopts_parse(cmdline, &p.opts);
	load_modules(&p);
	setup_services(&p);
	schedule_restarts(&p); /* the network daemon: DHCP runs meanwhile */
	prepare_storage(&p);
	int con = open("/dev/console", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	sysinit_print_status(con >= 0 ? con : 1);
	if (con >= 0)
		close(con);
	p.menu->enabled = true;
	schedule_restarts(&p);
	if (p.opts.test_hook[0])
		evloop_timer_start(&p.loop, &p.hook_timer, HOOK_DELAY_NS, 0, hook_step);
	else if (p.opts.autotest && !cfg->menu_is_real) {
		log_info("autotest: start-up complete, powering off");
		power(&p, RB_POWER_OFF);
	}
	for (;;) {
		if (evloop_once(&p.loop, -1) < 0) {
			/* Should not happen; keep reaping in any case. */
			struct timespec ts = { 0, 100000000 };
			nanosleep(&ts, NULL);
			reap_all(&p);
		}
	}
}
