#!/usr/bin/env python3
"""Writes tests/NN.in and tests/NN.out for "maze" (deterministic). Answers
come from the breadth-first search below."""

import os
import random
from collections import deque

HERE = os.path.dirname(os.path.abspath(__file__))


def shortest(grid):
    n, m = len(grid), len(grid[0])
    start = next((r, c) for r in range(n) for c in range(m) if grid[r][c] == "S")
    dist = {start: 0}
    q = deque([start])
    while q:
        r, c = q.popleft()
        if grid[r][c] == "T":
            return dist[(r, c)]
        for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            nr, nc = r + dr, c + dc
            if 0 <= nr < n and 0 <= nc < m and grid[nr][nc] != "#" and (nr, nc) not in dist:
                dist[(nr, nc)] = dist[(r, c)] + 1
                q.append((nr, nc))
    return -1


def random_maze(rnd, n, m, walls):
    g = [["#" if rnd.random() < walls else "." for _ in range(m)] for _ in range(n)]
    cells = rnd.sample(range(n * m), 2)
    for ch, cell in zip("ST", cells):
        g[cell // m][cell % m] = ch
    return ["".join(row) for row in g]


def snake(n, m):
    """Every other row a wall with one gap, alternating sides: one long path."""
    g = [["."] * m for _ in range(n)]
    for r in range(1, n, 2):
        g[r] = ["#"] * m
        g[r][m - 1 if (r // 2) % 2 == 0 else 0] = "."
    g[0][0] = "S"
    g[n - 1][m - 1 if (n - 1) // 2 % 2 == 0 else 0] = "T"
    return ["".join(row) for row in g]


def write(num, grid):
    os.makedirs(os.path.join(HERE, "tests"), exist_ok=True)
    base = os.path.join(HERE, "tests", f"{num:02d}")
    with open(base + ".in", "w") as f:
        f.write(f"{len(grid)} {len(grid[0])}\n" + "".join(row + "\n" for row in grid))
    with open(base + ".out", "w") as f:
        f.write(f"{shortest(grid)}\n")


def main():
    rnd = random.Random(42)
    cases = [
        ["S.#..", ".##.#", "...#.", ".#...", "...#T"],   # the statement's example
        ["ST"],
        ["S#.", "##.", "..T"],                            # walled in: -1
        ["S..", ".#.", ".#.", ".#.", ".#.", ".#.", "..T"],  # taller than wide
        ["S", ".", ".", "T"],
        ["S.........T"],
    ]
    for size in (8, 12, 20, 40):
        cases.append(random_maze(rnd, size, size, 0.25))
    cases.append(random_maze(rnd, 50, 20, 0.3))
    cases.append(random_maze(rnd, 20, 50, 0.3))
    cases.append(random_maze(rnd, 100, 100, 0.45))       # likely unreachable
    cases.append(snake(101, 99))
    cases.append(random_maze(rnd, 300, 300, 0.2))
    cases.append(random_maze(rnd, 300, 300, 0.35))
    cases.append(["S" + "." * 298 + "T"])
    cases.append(["S"] + ["."] * 298 + ["T"])
    cases.append(snake(299, 300))
    open_grid = [["."] * 300 for _ in range(300)]
    open_grid[0][0], open_grid[299][299] = "S", "T"
    cases.append(["".join(r) for r in open_grid])
    for i, grid in enumerate(cases, 1):
        write(i, grid)


if __name__ == "__main__":
    main()
