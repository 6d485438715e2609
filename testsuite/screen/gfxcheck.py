#!/usr/bin/env python3
# Compare a screendump with the picture testsuite/screen/vgatest.asm draws.
# SPDX-License-Identifier: MIT
#
# usage: gfxcheck.py mode13|mode12|vbe FILE.png [--ppm]
#
# Computes the expected frame from the same formulas as the guest and the
# frame sizes QEMU's std VGA shows (hw/vga_render.h): mode 13h 640x400
# (each of the 320x200 pixels doubled in both directions), mode 12h
# 640x480, the VBE mode 640x480. 6-bit DAC values are widened to 8 bits as
# QEMU does (v << 2 | (v & 1) * 3). Decodes the PNG with zlib alone (or a
# binary PPM, P6, with --ppm: QEMU's own screendump format). Prints one line:
# "WxH: all N pixels match" (exit 0) or what differs (exit 1); exit 2 for an
# unreadable file.
import struct
import sys
import zlib


def read_png(path):
    d = open(path, 'rb').read()
    if d[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG')
    pos, idat, ihdr = 8, [], None
    while pos + 8 <= len(d):
        n, typ = struct.unpack('>I4s', d[pos:pos + 8])
        if typ == b'IHDR':
            ihdr = struct.unpack('>IIBBBBB', d[pos + 8:pos + 21])
        elif typ == b'IDAT':
            idat.append(d[pos + 8:pos + 8 + n])
        elif typ == b'IEND':
            break
        pos += 12 + n
    if not ihdr:
        raise ValueError('no IHDR')
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError('PNG depth %d colour type %d interlace %d' % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b''.join(idat))
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        base = y * (stride + 1)
        ft = raw[base]
        line = bytearray(raw[base + 1:base + 1 + stride])
        if ft == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif ft == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 255
        elif ft == 3:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((a + prev[i]) >> 1)) & 255
        elif ft == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        elif ft != 0:
            raise ValueError('row %d: filter type %d' % (y, ft))
        rows.append(bytes(line) if bpp == 3 else bytes(b for i, b in enumerate(line) if i % 4 != 3))
        prev = line
    return w, h, rows


def read_ppm(path):
    d = open(path, 'rb').read()
    fields, pos = [], 0
    while len(fields) < 4:
        while d[pos:pos + 1].isspace():
            pos += 1
        if d[pos:pos + 1] == b'#':
            pos = d.index(b'\n', pos)
            continue
        end = pos
        while not d[end:end + 1].isspace():
            end += 1
        fields.append(d[pos:end])
        pos = end
    pos += 1
    if fields[0] != b'P6' or fields[3] != b'255':
        raise ValueError('not a binary 8-bit PPM')
    w, h = int(fields[1]), int(fields[2])
    return w, h, [d[pos + y * w * 3:pos + (y + 1) * w * 3] for y in range(h)]


def c6(v):
    v &= 63
    return v << 2 | (v & 1) << 1 | (v & 1)


def rgb(r, g, b):
    return bytes((c6(r), c6(g), c6(b)))


def expect_mode13():
    pal = [rgb(i & 63, i >> 2, (i * 7 ^ 0x2a) & 63) for i in range(256)]
    rows = []
    for y in range(200):
        line = b''.join(pal[((x ^ (3 * y)) + (x >> 3)) & 255] * 2 for x in range(320))
        rows += [line, line]
    return 640, 400, rows


def expect_mode12():
    pal = [rgb((4 * i + 3) & 63, (63 - 4 * i) & 63, (21 * i) & 63) for i in range(16)]
    rows = []
    for y in range(480):
        rows.append(b''.join(pal[(x + 3 * y + (x >> 4)) & 15] for x in range(640)))
    return 640, 480, rows


def expect_vbe():
    rows = []
    for y in range(480):
        line = bytearray()
        for x in range(640):
            v = ((x * 0x010305 + y * 0x070b0d) ^ (x * y)) & 0xffffff
            line += bytes((v >> 16, (v >> 8) & 255, v & 255))
        rows.append(bytes(line))
    return 640, 480, rows


def main():
    args = [a for a in sys.argv[1:] if a != '--ppm']
    expect = {'mode13': expect_mode13, 'mode12': expect_mode12, 'vbe': expect_vbe}
    if len(args) != 2 or args[0] not in expect:
        print('usage: gfxcheck.py mode13|mode12|vbe FILE.png [--ppm]')
        return 2
    try:
        got = (read_ppm if '--ppm' in sys.argv else read_png)(args[1])
    except (OSError, ValueError, zlib.error, IndexError) as e:
        print('%s: unreadable: %s' % (args[1], e))
        return 2
    want = expect[args[0]]()
    if got[:2] != want[:2]:
        print('the screen is %dx%d, want %dx%d' % (got[0], got[1], want[0], want[1]))
        return 1
    w, h = want[:2]
    bad, first = 0, None
    for y in range(h):
        if got[2][y] == want[2][y]:
            continue
        for x in range(w):
            g, e = got[2][y][3 * x:3 * x + 3], want[2][y][3 * x:3 * x + 3]
            if g != e:
                bad += 1
                if first is None:
                    first = (x, y, g.hex(), e.hex())
    if bad:
        print('%dx%d: %d of %d pixels differ; the first at (%d, %d) is #%s, want #%s' %
              ((w, h, bad, w * h) + first))
        return 1
    print('%dx%d: all %d pixels match' % (w, h, w * h))
    return 0


if __name__ == '__main__':
    sys.exit(main())
