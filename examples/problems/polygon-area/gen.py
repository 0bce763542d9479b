#!/usr/bin/env python3
"""Writes tests/NN.in and tests/NN.out for "polygon area" (deterministic).
Coordinates have three decimals, so the area is computed exactly in integers
(thousandths) and printed exactly."""

import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def area_text(pts):
    """pts in thousandths; the exact area as a decimal string."""
    s = abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1])))
    # area = s / 2 / 10^6: at most 7 decimals
    whole, frac = divmod(s * 5, 10**7)
    return f"{whole}.{frac:07d}".rstrip("0").rstrip(".") if frac else f"{whole}.0"


def fmt(v):
    sign = "-" if v < 0 else ""
    whole, frac = divmod(abs(v), 1000)
    return f"{sign}{whole}.{frac:03d}".rstrip("0").rstrip(".") if frac else f"{sign}{whole}"


def star(rnd, n, radius, cx=0, cy=0):
    """A random simple polygon: vertices at increasing angles around a centre."""
    angles = sorted(rnd.uniform(0, 2 * math.pi) for _ in range(n))
    pts, seen = [], set()
    for a in angles:
        r = rnd.uniform(0.3, 1.0) * radius
        p = (round((cx + r * math.cos(a)) * 1000), round((cy + r * math.sin(a)) * 1000))
        if p not in seen:
            seen.add(p)
            pts.append(p)
    return pts


def write(num, pts):
    os.makedirs(os.path.join(HERE, "tests"), exist_ok=True)
    base = os.path.join(HERE, "tests", f"{num:02d}")
    with open(base + ".in", "w") as f:
        f.write(f"{len(pts)}\n" + "".join(f"{fmt(x)} {fmt(y)}\n" for x, y in pts))
    with open(base + ".out", "w") as f:
        f.write(area_text(pts) + "\n")


def main():
    rnd = random.Random(314159)
    t = lambda *xy: [(round(x * 1000), round(y * 1000)) for x, y in zip(xy[::2], xy[1::2])]
    cases = [
        t(0, 0, 2, 0, 2, 1.5, 0, 1.5),                      # the statement's example
        t(0, 0, 0, 4, 3, 0),                                # clockwise
        t(0, 0, 0.001, 0, 0, 1),                            # area 0.0005
        t(10000, 10000, 9999.999, 10000, 10000, 9999.999),  # tiny, far from the origin
        t(-10000, -10000, 10000, -10000, 10000, 10000, -10000, 10000),
        t(0, 0, 4, 0, 4, 4, 2, 1, 0, 4),                    # not convex
    ]
    for n, radius in ((10, 5), (50, 100), (200, 0.5), (1000, 9000), (5000, 1000)):
        cases.append(star(rnd, n, radius, rnd.uniform(-500, 500), rnd.uniform(-500, 500)))
    for n, radius in ((30, 20), (10000, 9000)):
        cases.append(star(rnd, n, radius)[::-1])            # clockwise
    cases.append(star(rnd, 10000, 3))
    for i, pts in enumerate(cases, 1):
        write(i, pts)


if __name__ == "__main__":
    main()
