# Accepted although sloppy: Python's repr of the float, full of noise digits
# and in exponent notation for small areas (5e-07); tokens_float compares the
# numbers, not the text.
import sys

data = sys.stdin.read().split()
n = int(data[0])
pts = [(float(data[1 + 2 * i]), float(data[2 + 2 * i])) for i in range(n)]
s = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1]))
print(repr(abs(s) / 2), "  ")
