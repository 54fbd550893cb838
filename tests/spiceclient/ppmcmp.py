#!/usr/bin/env python3
# ppmcmp.py A.ppm B.ppm: prints the percentage of identical pixels
# (0 when the sizes differ).
import sys

def load(path):
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P6" and fields[3] == b"255", path
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + 3 * w * h]

aw, ah, a = load(sys.argv[1])
bw, bh, b = load(sys.argv[2])
if (aw, ah) != (bw, bh):
    print("0.00 sizes %dx%d vs %dx%d" % (aw, ah, bw, bh))
    sys.exit(0)
n = aw * ah
same = sum(1 for i in range(0, 3 * n, 3) if a[i:i + 3] == b[i:i + 3])
print("%.2f %dx%d" % (100.0 * same / n, aw, ah))
