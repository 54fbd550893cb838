#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Checks on P6 screenshots for the screen tests (standard library only).

  ppmtool.py size FILE                    -> "W H"
  ppmtool.py pixel FILE X Y               -> "RRGGBB"
  ppmtool.py diff A B [X,Y,W,H ...]       -> number of differing pixels
                                             outside the listed boxes
  ppmtool.py png FILE.ppm OUT.png         -> for people to look at
"""
import gzip, struct, sys, zlib


def load(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    fields, i = [], 0
    while len(fields) < 4:
        while data[i:i + 1].isspace():
            i += 1
        if data[i:i + 1] == b'#':
            while data[i:i + 1] not in (b'\n', b''):
                i += 1
            continue
        j = i
        while not data[j:j + 1].isspace():
            j += 1
        fields.append(data[i:j])
        i = j
    if fields[0] != b'P6' or fields[3] != b'255':
        sys.exit(f'{path}: not a P6 maxval 255 image')
    w, h = int(fields[1]), int(fields[2])
    px = data[i + 1:i + 1 + w * h * 3]
    if len(px) != w * h * 3:
        sys.exit(f'{path}: truncated')
    return w, h, px


def main(argv):
    cmd = argv[1]
    if cmd == 'size':
        w, h, _ = load(argv[2])
        print(w, h)
    elif cmd == 'pixel':
        w, h, px = load(argv[2])
        x, y = int(argv[3]), int(argv[4])
        o = (y * w + x) * 3
        print(px[o:o + 3].hex())
    elif cmd == 'diff':
        wa, ha, a = load(argv[2])
        wb, hb, b = load(argv[3])
        if (wa, ha) != (wb, hb):
            print(f'size {wa}x{ha} != {wb}x{hb}')
            return 1
        boxes = [tuple(int(v) for v in s.split(',')) for s in argv[4:]]
        bad = 0
        for y in range(ha):
            row = slice(y * wa * 3, (y + 1) * wa * 3)
            if a[row] == b[row]:
                continue
            for x in range(wa):
                o = (y * wa + x) * 3
                if a[o:o + 3] != b[o:o + 3] and not any(
                        bx <= x < bx + bw and by <= y < by + bh
                        for bx, by, bw, bh in boxes):
                    bad += 1
        print(bad)
    elif cmd == 'png':
        w, h, px = load(argv[2])
        raw = b''.join(b'\0' + px[y * w * 3:(y + 1) * w * 3] for y in range(h))

        def chunk(t, d):
            return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
        with open(argv[3], 'wb') as f:
            f.write(b'\x89PNG\r\n\x1a\n' +
                    chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
                    chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))
    else:
        sys.exit(__doc__)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
