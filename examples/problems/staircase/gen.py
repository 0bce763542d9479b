#!/usr/bin/env python3
"""Writes tests/NN.in and tests/NN.out for "staircase" (deterministic). The
small tests come first (so that exponential or memory-hungry solutions pass
them and fail later, as on a real judge); answers come from the DP below."""

import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
MOD = 10**9 + 7


def ways(n, steps):
    dp = [0] * (n + 1)
    dp[0] = 1
    for i in range(1, n + 1):
        dp[i] = sum(dp[i - s] for s in steps if s <= i) % MOD
    return dp[n]


def write(num, n, steps):
    os.makedirs(os.path.join(HERE, "tests"), exist_ok=True)
    base = os.path.join(HERE, "tests", f"{num:02d}")
    with open(base + ".in", "w") as f:
        f.write(f"{n} {len(steps)}\n{' '.join(map(str, steps))}\n")
    with open(base + ".out", "w") as f:
        f.write(f"{ways(n, steps)}\n")


def main():
    rnd = random.Random(7)
    cases = [(4, [1, 2]), (5, [2]), (1, [1]), (10, [1, 2, 3]), (25, [1, 2]),
             (3, [5, 7]), (60, [1, 2]), (100, [1, 2]), (1000, [1, 3, 5]),
             (777, [100, 1]), (50000, [2, 3, 5, 7, 11])]
    for _ in range(4):
        cases.append((rnd.randint(10**4, 10**5), rnd.sample(range(1, 101), rnd.randint(1, 10))))
    cases.append((10**5, list(range(1, 11))))
    cases.append((10**5, list(range(91, 101))))
    cases.append((99991, [2]))
    for i, (n, steps) in enumerate(cases, 1):
        write(i, n, steps)


if __name__ == "__main__":
    main()
