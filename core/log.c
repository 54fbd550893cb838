/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Logging. One destination per process, chosen by the applet: stderr for
 * commands, /dev/kmsg for PID 1 (so boot messages land in the kernel log and
 * on the console the kernel was told to use).
 */
#include <stdio.h>
#include <unistd.h>

#include "core.h"

struct log_config {
	int fd;
	enum log_level max_level;
	bool kmsg;
	const char *tag;
};

/* The one piece of process-wide state in core: set by cmd/ via log_setup. */
static struct log_config log_cfg = { 2, LOG_INFO, false, "kvmbox" };

void log_setup(int fd, enum log_level max_level, bool kmsg, const char *tag)
{
	log_cfg.fd = fd;
	log_cfg.max_level = max_level;
	log_cfg.kmsg = kmsg;
	log_cfg.tag = tag ? tag : "kvmbox";
}

static const char *level_word(enum log_level level)
{
	switch (level) {
	case LOG_ERR: return "error: ";
	case LOG_WARN: return "warning: ";
	case LOG_DEBUG: return "debug: ";
	default: return "";
	}
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	if (level > log_cfg.max_level)
		return;
	if (log_cfg.kmsg)
		n = snprintf(line, sizeof(line), "<%d>%s: ", level, log_cfg.tag);
	else
		n = snprintf(line, sizeof(line), "%s: %s", log_cfg.tag,
			     level_word(level));
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line: lines from threads and processes never mix. */
	write_full(log_cfg.fd, line, (size_t)n);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
