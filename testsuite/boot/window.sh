#!/bin/bash
# The SDL window (-display sdl) under a virtual X server (Xvfb): the BIOS's
# text screen shows in the window. A screendump taken through the monitor
# and a picture of the X screen (xwd -root) taken right after must agree:
# the screendump's text pixels are found in the X screen at one place and
# an integer scale. Also: -display sdl without a display is one error line
# and exit status 1, and the monitor's quit ends the run with status 0.
# SPDX-License-Identifier: MIT
O=${O:-build}
T=$O/trivisor
if ! [ -x "$T" ]; then
	echo "FAIL window/setup: $T not built"
	exit 0
fi
tmp=$(mktemp -d)
xpid=""
tpid=""
cleanup() {
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null
	[ -n "$xpid" ] && kill "$xpid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# ---- no display: one clear line, status 1 (no X server needed) ----
env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER timeout 30 "$T" -display sdl \
	-serial null -no-reboot >"$tmp/out" 2>"$tmp/err" </dev/null
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q 'window' "$tmp/err"; then
	echo "PASS window/no-display"
else
	echo "FAIL window/no-display: exit status $rc, want 1 with one line about the window: $(head -c 300 "$tmp/err" | tr '\n' ' ')"
fi

# ---- the window under Xvfb ----
for tool in Xvfb xwd python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP window/screen: $tool is not installed (testsuite/install-deps installs xvfb, x11-apps)"
		echo "SKIP window/monitor-quit: $tool is not installed"
		exit 0
	fi
done
n=90
while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; do
	n=$((n + 1))
done
Xvfb ":$n" -screen 0 1024x768x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
xpid=$!
for _ in $(seq 50); do
	[ -e "/tmp/.X11-unix/X$n" ] && break
	sleep 0.1
done
if ! [ -e "/tmp/.X11-unix/X$n" ]; then
	echo "FAIL window/screen: Xvfb :$n did not start: $(head -c 300 "$tmp/xvfb.log" | tr '\n' ' ')"
	exit 0
fi

# the monitor reads commands from a FIFO held open here (fd 3)
mkfifo "$tmp/mon"
exec 3<>"$tmp/mon"
DISPLAY=":$n" "$T" -display sdl -monitor stdio -serial null -no-reboot \
	<"$tmp/mon" >"$tmp/monout" 2>"$tmp/err" &
tpid=$!

# The PNG and XWD readers and the search: the screendump's pixels that are
# not its background colour, sampled, must show in the X screen at one
# offset and scale.
cat >"$tmp/check.py" <<'EOF'
import struct, sys, zlib
from collections import Counter

def read_xwd(path):
    d = open(path, 'rb').read()
    f = struct.unpack('>25I', d[:100])
    hsize, ver, fmt, depth, w, h, _, border, _, _, _, bpp, bpl = f[:13]
    rm, gm, bm, ncolors = f[14], f[15], f[16], f[19]
    if ver != 7 or fmt != 2 or bpp not in (24, 32):
        raise ValueError('XWD version %d format %d bpp %d' % (ver, fmt, bpp))
    img = d[hsize + ncolors * 12:]
    order = 'little' if border == 0 else 'big'
    def shift(m):
        s = 0
        while m and not (m >> s) & 1:
            s += 1
        return s
    rs, gs, bs = shift(rm), shift(gm), shift(bm)
    step = bpp // 8
    pix = []
    for y in range(h):
        row = img[y * bpl:y * bpl + w * step]
        if step == 4:
            vals = struct.unpack(('<' if order == 'little' else '>') + '%dI' % w, row)
        else:
            vals = [int.from_bytes(row[3 * x:3 * x + 3], order) for x in range(w)]
        pix.append([((v & rm) >> rs) << 16 | ((v & gm) >> gs) << 8 | (v & bm) >> bs for v in vals])
    return w, h, pix

def read_png(path):
    d = open(path, 'rb').read()
    if d[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG')
    pos, idat, ihdr = 8, b'', None
    while pos + 8 <= len(d):
        n, typ = struct.unpack('>I4s', d[pos:pos + 8])
        if typ == b'IHDR':
            ihdr = struct.unpack('>IIBBBBB', d[pos + 8:pos + 21])
        elif typ == b'IDAT':
            idat += d[pos + 8:pos + 8 + n]
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError('PNG depth %d colour type %d interlace %d' % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    pix = []
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ft:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                if ft == 1:
                    line[i] = (line[i] + a) & 255
                elif ft == 2:
                    line[i] = (line[i] + b) & 255
                elif ft == 3:
                    line[i] = (line[i] + (a + b) // 2) & 255
                else:
                    c = prev[i - bpp] if i >= bpp else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        pix.append([line[x * bpp] << 16 | line[x * bpp + 1] << 8 | line[x * bpp + 2] for x in range(w)])
        prev = line
    return w, h, pix

def locate(root, frame):
    rw, rh, rp = root
    fw, fh, fp = frame
    bg = Counter(v for r in fp for v in r).most_common(1)[0][0]
    fg = [(x, y, fp[y][x]) for y in range(fh) for x in range(fw) if fp[y][x] != bg]
    if len(fg) < 50:
        return None, len(fg)
    samples = fg[::max(1, len(fg) // 400)]
    best = None
    for s in (1, 2, 3):
        if fw * s > rw or fh * s > rh:
            continue
        x0, y0, c0 = samples[0]
        for ry in range(rh):
            row = rp[ry]
            if c0 not in row:
                continue
            for rx in range(rw):
                if row[rx] != c0:
                    continue
                ox, oy = rx - x0 * s, ry - y0 * s
                if ox < 0 or oy < 0 or ox + fw * s > rw or oy + fh * s > rh:
                    continue
                ok = 0
                for i, (x, y, c) in enumerate(samples):
                    if rp[oy + y * s][ox + x * s] == c:
                        ok += 1
                    elif i < 16 and ok < i - 2:
                        break
                if not best or ok > best[3]:
                    best = (ox, oy, s, ok, len(samples))
    return best, len(fg)

try:
    frame = read_png(sys.argv[2])
    root = read_xwd(sys.argv[1])
except Exception as e:
    print('unreadable: %s' % e)
    sys.exit(2)
best, nfg = locate(root, frame)
if nfg < 50:
    print('the screendump (%dx%d) is blank: %d text pixels' % (frame[0], frame[1], nfg))
    sys.exit(1)
if not best or best[3] < 0.97 * best[4]:
    print('the %dx%d screen (%d text pixels) is not in the window%s' % (frame[0], frame[1], nfg,
          '' if not best else ': at best %d of %d samples at %d,%d scale %d' %
          (best[3], best[4], best[0], best[1], best[2])))
    sys.exit(1)
print('%dx%d screen at %d,%d scale %d: %d of %d samples match' %
      (frame[0], frame[1], best[0], best[1], best[2], best[3], best[4]))
EOF

# the BIOS's screen settles within seconds (SeaBIOS's banner, then no
# bootable device); try until the two pictures agree
result=""
why="no screendump arrived"
for i in $(seq 12); do
	sleep 2
	if ! kill -0 "$tpid" 2>/dev/null; then
		why="trivisor exited early: $(head -c 300 "$tmp/err" | tr '\n' ' ')"
		break
	fi
	rm -f "$tmp/shot.png"
	echo "screendump $tmp/shot.png" >&3
	for _ in $(seq 50); do
		[ -s "$tmp/shot.png" ] && break
		sleep 0.1
	done
	DISPLAY=":$n" xwd -root -silent >"$tmp/root.xwd" 2>>"$tmp/xwd.err"
	[ -s "$tmp/shot.png" ] || continue
	sleep 0.2	# the PNG finished
	if result=$(python3 "$tmp/check.py" "$tmp/root.xwd" "$tmp/shot.png"); then
		why=""
		break
	fi
	why=$result
done
if [ -z "$why" ]; then
	echo "PASS window/screen: $result"
else
	echo "FAIL window/screen: $why; monitor said: $(tail -c 300 "$tmp/monout" | tr '\n' ' ')"
fi

# ---- the monitor's quit: exit status 0 ----
if kill -0 "$tpid" 2>/dev/null; then
	echo "quit" >&3
	for _ in $(seq 100); do
		kill -0 "$tpid" 2>/dev/null || break
		sleep 0.1
	done
fi
if kill -0 "$tpid" 2>/dev/null; then
	echo "FAIL window/monitor-quit: still running 10 s after quit"
else
	wait "$tpid"
	rc=$?
	tpid=""
	if [ $rc -eq 0 ]; then
		echo "PASS window/monitor-quit"
	else
		echo "FAIL window/monitor-quit: exit status $rc, want 0: $(head -c 300 "$tmp/err" | tr '\n' ' ')"
	fi
fi
exec 3>&-
