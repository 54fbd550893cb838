/* SPDX-License-Identifier: GPL-2.0-only */
/* vm: runs one virtual machine on /dev/kvm (kvm/vmm.h) until it stops. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/core.h"
#include "disk/disk.h"
#include "kvm/vmm.h"
#include "net/net.h"

APPLET(vm, "run a virtual machine on /dev/kvm",
       "usage: kvmbox vm run --kernel FILE [--initrd FILE] [--cmdline STRING]\n"
       "         [--mem MIB] [--cpus N] [--disk FILE[,ro][,overlay=volatile|PATH]]...\n"
       "         [--net tap=IFNAME|bridge=BRNAME[,vlan=N]|none] [--serial stdio|FILE|none]\n"
       "         [--display screen|offscreen|none] [--display-size WxH]\n"
       "         [--control SOCKET] [--menu-hotkey] [--no-seccomp]\n"
       "Boots a Linux kernel (bzImage, or an ELF vmlinux with a PVH note) with\n"
       "virtio-blk disks (/dev/vda, vdb, ...), virtio-net, virtio-rng and COM1\n"
       "(ttyS0) as the console. Defaults: 512 MiB, 1 vCPU, serial on stdio.\n"
       "Exit status: 0 guest powered off, 3 guest rebooted, 4 guest panicked,\n"
       "1 VMM error (or stopped by a signal), 2 usage error,\n"
       "5 back to the menu (--menu-hotkey: Ctrl+Alt+F12).\n"
       "--display adds a QXL display (the boot console on its framebuffer from\n"
       "the first line, then the guest's qxl driver at the screen's size):\n"
       "screen shows it full-screen on this machine (DRM or fbdev) with its\n"
       "keyboards and mice; offscreen keeps it in memory (default 1024x768,\n"
       "or --display-size). --control SOCKET takes one command per line:\n"
       "screenshot FILE.ppm (the guest's screen), screendump FILE.ppm (the\n"
       "host's output), info, key CODE 0|1, pointer X Y BUTTONS, quit.\n"
       "       kvmbox vm control SOCKET COMMAND...  sends each COMMAND (quoted, one\n"
       "line each) to a running VM's --control socket and prints the answers;\n"
       "exit status 0 when every answer is \"ok ...\".");

enum { OPT_KERNEL = 1, OPT_INITRD, OPT_CMDLINE, OPT_MEM, OPT_CPUS, OPT_DISK,
       OPT_NET, OPT_SERIAL, OPT_NO_SECCOMP, OPT_TEST_SECCOMP, OPT_DISPLAY,
       OPT_DISPLAY_SIZE, OPT_CONTROL, OPT_MENU_HOTKEY };

static const struct option options[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "net", required_argument, NULL, OPT_NET },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
	{ "display", required_argument, NULL, OPT_DISPLAY },
	{ "display-size", required_argument, NULL, OPT_DISPLAY_SIZE },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "menu-hotkey", no_argument, NULL, OPT_MENU_HOTKEY },
	/* test-only: proves the sandbox by making a forbidden syscall */
	{ "test-seccomp-violation", no_argument, NULL, OPT_TEST_SECCOMP },
	{ 0 },
};

struct vm_args {
	struct vmm_config cfg;
	char *disks[VMM_MAX_DISKS];
	unsigned ndisks;
	const char *net;
	const char *serial;
};

/* "WxH" within what the display device's VRAM holds. */
static int parse_display_size(const char *s, struct vmm_config *cfg)
{
	char *x = strchr(s, 'x');
	char w[16];
	uint64_t vw, vh;

	if (!x || (size_t)(x - s) >= sizeof(w))
		return -EINVAL;
	memcpy(w, s, (size_t)(x - s));
	w[x - s] = 0;
	if (parse_u64(w, 320, 4096, &vw) < 0 || parse_u64(x + 1, 200, 2160, &vh) < 0)
		return -EINVAL;
	cfg->display_width = (unsigned)vw;
	cfg->display_height = (unsigned)vh;
	return 0;
}

static int parse_args(int argc, char **argv, struct vm_args *a)
{
	const struct applet *self = &applet_vm;
	uint64_t v;
	int c;

	optind = 2; /* past "vm run" */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case OPT_KERNEL: a->cfg.kernel = optarg; break;
		case OPT_INITRD: a->cfg.initrd = optarg; break;
		case OPT_CMDLINE: a->cfg.cmdline = optarg; break;
		case OPT_MEM:
			if (parse_size_unit(optarg, 1 << 20, &v) < 0 || v < (8 << 20) ||
			    v > (1ULL << 40) || v % 4096)
				return usage_error(self, "--mem '%s': want MiB (or a size with a suffix) from 8M to 1T", optarg);
			a->cfg.mem_bytes = v;
			break;
		case OPT_CPUS:
			if (parse_u64(optarg, 1, VMM_MAX_CPUS, &v) < 0)
				return usage_error(self, "--cpus '%s': want 1..%d", optarg, VMM_MAX_CPUS);
			a->cfg.cpus = (unsigned)v;
			break;
		case OPT_DISK:
			if (a->ndisks == VMM_MAX_DISKS)
				return usage_error(self, "at most %d --disk", VMM_MAX_DISKS);
			a->disks[a->ndisks++] = optarg;
			break;
		case OPT_NET: a->net = optarg; break;
		case OPT_SERIAL: a->serial = optarg; break;
		case OPT_NO_SECCOMP: a->cfg.seccomp = false; break;
		case OPT_TEST_SECCOMP: a->cfg.seccomp_test = true; break;
		case OPT_DISPLAY:
			if (!strcmp(optarg, "screen"))
				a->cfg.display = VMM_DISPLAY_SCREEN;
			else if (!strcmp(optarg, "offscreen"))
				a->cfg.display = VMM_DISPLAY_OFFSCREEN;
			else if (!strcmp(optarg, "none"))
				a->cfg.display = VMM_DISPLAY_NONE;
			else
				return usage_error(self, "--display '%s': want screen, offscreen or none", optarg);
			break;
		case OPT_DISPLAY_SIZE:
			if (parse_display_size(optarg, &a->cfg) < 0)
				return usage_error(self, "--display-size '%s': want WxH from 320x200 to 4096x2160", optarg);
			break;
		case OPT_CONTROL: a->cfg.control_path = optarg; break;
		case OPT_MENU_HOTKEY: a->cfg.menu_hotkey = true; break;
		default:
			return usage_error(self, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error(self, "unexpected argument '%s'", argv[optind]);
	if (!a->cfg.kernel)
		return usage_error(self, "--kernel is required");
	if (a->cfg.control_path && a->cfg.display == VMM_DISPLAY_NONE)
		return usage_error(self, "--control needs --display screen or offscreen");
	if (a->net && strcmp(a->net, "none") && !str_starts(a->net, "tap=") &&
	    !str_starts(a->net, "bridge="))
		return usage_error(self, "--net '%s': want tap=IFNAME, bridge=BRNAME or none", a->net);
	return 0;
}

static int open_serial(const char *how, struct vmm_config *cfg)
{
	cfg->serial_in = -1;
	cfg->serial_out = -1;
	if (!how || !strcmp(how, "stdio")) {
		cfg->serial_in = STDIN_FILENO;
		cfg->serial_out = STDOUT_FILENO;
	} else if (strcmp(how, "none")) {
		cfg->serial_out = open(how, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (cfg->serial_out < 0)
			return -errno;
	}
	return 0;
}

static int open_net(const char *how, struct vmm_config *cfg, struct errmsg *err)
{
	char ifname[IFNAMSIZ];
	int r;

	cfg->tap_fd = -1;
	if (!how || !strcmp(how, "none"))
		return 0;
	if (str_starts(how, "tap="))
		r = net_tap_open(how + 4, ifname, err);
	else
		r = net_tap_open("kvmbox%d", ifname, err);
	if (r < 0)
		return r;
	cfg->tap_fd = r;
	if (str_starts(how, "bridge="))
		return net_bridge_add_port(how + 7, ifname, err);
	return 0;
}

static int setup(struct vm_args *a, struct errmsg *err)
{
	int r;

	if ((r = open_serial(a->serial, &a->cfg)) < 0)
		return errmsg_set(err, r, "--serial %s: %s", a->serial, err_str(r));
	for (unsigned i = 0; i < a->ndisks; i++) {
		struct disk_spec spec;
		if ((r = disk_spec_parse(a->disks[i], &spec, err)) < 0 ||
		    (r = disk_open_spec(&spec, &a->cfg.disks[i], err)) < 0)
			return r;
		a->cfg.ndisks++;
	}
	return open_net(a->net, &a->cfg, err);
}

/*
 * A terminal on the console gets raw mode, so keys reach the guest as typed
 * (Ctrl-C still stops the VMM); the old mode is restored at the end.
 */
static bool console_raw(int fd, struct termios *saved)
{
	struct termios t;

	if (!isatty(fd) || tcgetattr(fd, saved) < 0)
		return false;
	t = *saved;
	t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | IEXTEN);
	t.c_cflag = (t.c_cflag & ~(tcflag_t)(CSIZE | PARENB)) | CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	return tcsetattr(fd, TCSANOW, &t) == 0;
}

/* `vm control SOCKET COMMAND...`: a client for tests, support and scripts. */
static int control_main(int argc, char **argv)
{
	struct errmsg err = { "" };
	char answer[512];
	int status = 0;

	if (argc < 4)
		return usage_error(&applet_vm, "vm control wants SOCKET and at least one COMMAND");
	for (int i = 3; i < argc; i++) {
		if (vmm_control(argv[2], argv[i], answer, sizeof(answer), &err) < 0) {
			fprintf(stderr, "kvmbox vm: %s\n", err.msg);
			return 1;
		}
		printf("%s\n", answer);
		if (strncmp(answer, "ok", 2))
			status = 1;
	}
	return status;
}

int vm_main(int argc, char **argv)
{
	struct vm_args a = { .cfg = { .mem_bytes = 512ULL << 20, .cpus = 1,
				      .seccomp = true, .tap_fd = -1 } };
	struct errmsg err = { "" };
	int r;

	if (wants_help(&applet_vm, argc, argv))
		return 0;
	if (argc >= 2 && !strcmp(argv[1], "control"))
		return control_main(argc, argv);
	if (argc < 2 || strcmp(argv[1], "run"))
		return usage_error(&applet_vm, "expected 'run' or 'control'");
	if ((r = parse_args(argc, argv, &a)) != 0)
		return r;
	r = setup(&a, &err);
	if (r == 0) {
		struct termios saved;
		bool raw = a.cfg.serial_in >= 0 && console_raw(a.cfg.serial_in, &saved);
		r = vmm_run(&a.cfg, &err);
		if (raw)
			tcsetattr(a.cfg.serial_in, TCSANOW, &saved);
	}
	if (r < 0) {
		fprintf(stderr, "kvmbox vm: %s\n", err.msg[0] ? err.msg : err_str(r));
		return 1;
	}
	return r;
}
