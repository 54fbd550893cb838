# SPDX-License-Identifier: GPL-2.0-only
"""Drives a program on a pseudo-terminal the way a person at a serial console
would: read the screen, send keys. Used by the menu's scenario tests."""
import os
import pty
import re
import select
import signal
import sys
import time

ANSI = re.compile(rb'\x1b\[[0-9;?]*[A-Za-z]')
KEYS = {'up': '\x1b[A', 'down': '\x1b[B', 'enter': '\r', 'esc': '\x1b',
        'backspace': '\x7f'}


class Term:
    def __init__(self, argv, env=None):
        self.raw = b''
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execvpe(argv[0], argv, dict(os.environ, **(env or {})))
            finally:
                os._exit(127)
        self.status = None

    def pump(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if r:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                data = b''
            self.raw += data
            return bool(data)
        return False

    def screen(self):
        """Text since the last full redraw (the menu starts each at home)."""
        last = self.raw.rfind(b'\x1b[H')
        part = self.raw[last:] if last >= 0 else self.raw
        return ANSI.sub(b'', part).decode('utf-8', 'replace').replace('\r', '')

    def expect(self, text, timeout=20, where='screen'):
        end = time.time() + timeout
        while time.time() < end:
            hay = self.screen() if where == 'screen' else self.all_text()
            if text in hay:
                return
            self.pump(0.1)
        sys.stderr.write('--- screen ---\n%s\n--- end ---\n' % self.screen())
        raise AssertionError('did not see %r within %ss' % (text, timeout))

    def expect_not(self, text, seconds=2):
        end = time.time() + seconds
        while time.time() < end:
            self.pump(0.1)
        if text in self.screen():
            raise AssertionError('saw %r:\n%s' % (text, self.screen()))

    def all_text(self):
        return ANSI.sub(b'', self.raw).decode('utf-8', 'replace').replace('\r', '')

    def mark(self):
        self.raw = b''

    def send(self, *keys):
        for k in keys:
            os.write(self.fd, KEYS.get(k, k).encode())
            time.sleep(0.15)
            self.pump(0.05)

    def stop(self):
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        end = time.time() + 5
        while time.time() < end:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = st
                return
            self.pump(0.1)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def wait_for(cond, timeout=20, what='condition'):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return
        time.sleep(0.1)
    raise AssertionError('timed out waiting for ' + what)
