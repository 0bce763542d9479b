#!/usr/bin/env python3
"""Writes tests/NN.in and tests/NN.out for "sum of pairs" (deterministic: the
same files every run). Answers come from the reference rule below, not from a
solution under test."""

import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
BIG = 10**18


def write(n, pairs):
    os.makedirs(os.path.join(HERE, "tests"), exist_ok=True)
    base = os.path.join(HERE, "tests", f"{n:02d}")
    with open(base + ".in", "w") as f:
        f.write(f"{len(pairs)}\n" + "".join(f"{a} {b}\n" for a, b in pairs))
    with open(base + ".out", "w") as f:
        f.write("".join(f"{a + b}\n" for a, b in pairs))


def main():
    rnd = random.Random(20261205)
    cases = [
        [(1, 2), (-5, 5), (10**9, 10**9)],               # the statement's example
        [(2**31 - 1, 1), (-(2**31), -1)],                # just past 32 bits
        [(0, 0)],
        [(BIG, BIG)],
        [(-BIG, -BIG), (-BIG, BIG)],
        [(rnd.randint(-100, 100), rnd.randint(-100, 100)) for _ in range(50)],
        [(rnd.randint(-10**9, 10**9), rnd.randint(-10**9, 10**9)) for _ in range(100)],
        [(rnd.randint(0, 10**9), rnd.randint(0, 10**9)) for _ in range(100)],
        [(rnd.randint(-BIG, BIG), rnd.randint(-BIG, BIG)) for _ in range(1000)],
        [(rnd.randint(-BIG, BIG), 0) for _ in range(1000)],
        [(rnd.randint(-BIG, BIG), rnd.randint(-BIG, BIG)) for _ in range(10**4)],
        [(rnd.choice([BIG, -BIG]), rnd.choice([BIG, -BIG])) for _ in range(10**4)],
    ]
    for i, pairs in enumerate(cases, 1):
        write(i, pairs)


if __name__ == "__main__":
    main()
