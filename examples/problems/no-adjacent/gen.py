#!/usr/bin/env python3
"""Writes tests/NN.in and tests/NN.ans for "no adjacent neighbours"
(deterministic). The answer file holds one right answer (the jury's); the
checker accepts any."""

import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def jury(n):
    if n in (2, 3):
        return "NO SOLUTION"
    # evens, then odds: 2 4 ... 1 3 ...
    return " ".join(map(str, list(range(2, n + 1, 2)) + list(range(1, n + 1, 2))))


def write(num, n):
    os.makedirs(os.path.join(HERE, "tests"), exist_ok=True)
    base = os.path.join(HERE, "tests", f"{num:02d}")
    with open(base + ".in", "w") as f:
        f.write(f"{n}\n")
    with open(base + ".ans", "w") as f:
        f.write(jury(n) + "\n")


def main():
    rnd = random.Random(2026)
    ns = [5, 3, 1, 2, 4, 6, 7, 8, 10, 11, 100, 999]
    ns += [rnd.randint(1000, 20000) for _ in range(3)]
    ns += [50000, 100000]
    for i, n in enumerate(ns, 1):
        write(i, n)


if __name__ == "__main__":
    main()
