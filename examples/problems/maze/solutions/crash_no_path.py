# Crashes (KeyError) when the exit cannot be reached: it assumes it always can.
import sys
from collections import deque

data = sys.stdin.read().split()
n, m = int(data[0]), int(data[1])
grid = data[2:2 + n]
start = next((r, c) for r in range(n) for c in range(m) if grid[r][c] == "S")
target = next((r, c) for r in range(n) for c in range(m) if grid[r][c] == "T")
dist = {start: 0}
q = deque([start])
while q:
    r, c = q.popleft()
    for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
        if 0 <= nr < n and 0 <= nc < m and grid[nr][nc] != "#" and (nr, nc) not in dist:
            dist[(nr, nc)] = dist[(r, c)] + 1
            q.append((nr, nc))
print(dist[target])
