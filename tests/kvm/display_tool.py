#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Helpers for the display tests (standard library only).

  display_tool.py ctl SOCK CMD...           sends each command line to a VMM's
                                            control socket, prints the answers
  display_tool.py lit FILE Y0 Y1            how many pixels of rows Y0..Y1-1
                                            are not black
  display_tool.py expect KIND FILE [ARGS]   exit 0 when the P6 image FILE is
                                            what the test guest drew:
      bars W H [square]     eight colour bars (+ the orange 64x64 square)
      qxl [cursor]          blue 640x480, the 64x32 checker at (100,50)
                            (+ the guest's 16x16 red cursor at (320,240))
      frame OW OH GW GH KIND...  an OW x OH output with a GW x GH guest image
                            of KIND centred on black
"""
import socket, sys

BARS = [0xffffff, 0xffff00, 0x00ffff, 0x00ff00, 0xff00ff, 0xff0000, 0x0000ff, 0x000000]


def load(path):
    data = open(path, 'rb').read()
    fields, i = [], 0
    while len(fields) < 4:
        while data[i:i + 1].isspace():
            i += 1
        j = i
        while not data[j:j + 1].isspace():
            j += 1
        fields.append(data[i:j])
        i = j
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[i + 1:i + 1 + w * h * 3]


def bars(w, h, square=False):
    def px(x, y):
        if square and 16 <= x < 80 and 16 <= y < 80:
            return 0xff8000
        return BARS[x * 8 // w] if x < w // 8 * 8 else 0
    return w, h, px


def qxl(cursor=False):
    def px(x, y):
        if cursor and 320 <= x < 336 and 240 <= y < 256:
            return 0xff0000
        if 100 <= x < 164 and 50 <= y < 82:
            return 0xffff00 if ((x - 100) // 8 + (y - 50) // 8) & 1 else 0x00ff00
        return 0x0000ff
    return 640, 480, px


def make(kind, args):
    if kind == 'bars':
        return bars(int(args[0]), int(args[1]), len(args) > 2), args[3:] if len(args) > 2 else args[2:]
    if kind == 'qxl':
        if args and args[0] == 'cursor':
            return qxl(True), args[1:]
        return qxl(), args
    sys.exit(f'unknown kind {kind}')


def expect(path, kind, args):
    if kind == 'frame':
        ow, oh, gw, gh = (int(a) for a in args[:4])
        (w, h, inner), _ = make(args[4], args[5:])
        ox, oy = (ow - gw) // 2, (oh - gh) // 2

        def px(x, y):
            if ox <= x < ox + gw and oy <= y < oy + gh:
                return inner(x - ox, y - oy)
            return 0
        want = (ow, oh, px)
    else:
        want, _ = make(kind, args)
    ww, wh, fn = want
    w, h, data = load(path)
    if (w, h) != (ww, wh):
        print(f'{path}: {w}x{h}, expected {ww}x{wh}')
        return 1
    bad, first = 0, None
    for y in range(h):
        for x in range(w):
            o = (y * w + x) * 3
            got = data[o] << 16 | data[o + 1] << 8 | data[o + 2]
            if got != fn(x, y):
                bad += 1
                first = first or (x, y, got, fn(x, y))
    if bad:
        x, y, got, exp = first
        print(f'{path}: {bad} pixels differ, first at ({x},{y}): {got:06x} instead of {exp:06x}')
        return 1
    return 0


def ctl(path, cmds):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(path)
    f = s.makefile('rw')
    for c in cmds:
        f.write(c + '\n')
        f.flush()
        print(f.readline().rstrip('\n'))
    return 0


def main(argv):
    if len(argv) > 2 and argv[1] == 'ctl':
        return ctl(argv[2], argv[3:])
    if len(argv) == 5 and argv[1] == 'lit':
        w, h, data = load(argv[2])
        rows = data[int(argv[3]) * w * 3:min(int(argv[4]), h) * w * 3]
        print(sum(1 for i in range(0, len(rows), 3) if rows[i:i + 3] != b'\0\0\0'))
        return 0
    if len(argv) > 3 and argv[1] == 'expect':
        return expect(argv[3], argv[2], argv[4:])
    sys.exit(__doc__)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
