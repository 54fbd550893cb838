#!/usr/bin/env python3
# ppmcmp.py A.ppm B.ppm [X Y]: prints the percentage of identical pixels
# (0 when the sizes differ). With X Y, B is compared with the area of A
# whose top-left corner is at (X, Y) (B placed on a larger screen).
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
if len(sys.argv) > 4:
    x, y = int(sys.argv[3]), int(sys.argv[4])
    if x < 0 or y < 0 or x + bw > aw or y + bh > ah:
        print("0.00 %dx%d does not fit at %d,%d in %dx%d" % (bw, bh, x, y, aw, ah))
        sys.exit(0)
    a = b"".join(a[3 * ((y + r) * aw + x):3 * ((y + r) * aw + x + bw)] for r in range(bh))
    aw, ah = bw, bh
if (aw, ah) != (bw, bh):
    print("0.00 sizes %dx%d vs %dx%d" % (aw, ah, bw, bh))
    sys.exit(0)
n = aw * ah
same = sum(1 for i in range(0, 3 * n, 3) if a[i:i + 3] == b[i:i + 3])
print("%.2f %dx%d" % (100.0 * same / n, aw, ah))
