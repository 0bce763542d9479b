import sys
from collections import deque


def main():
    data = sys.stdin.read().split()
    n, m = int(data[0]), int(data[1])
    grid = "".join(data[2:2 + n])
    start, target = grid.index("S"), grid.index("T")
    dist = [-1] * (n * m)
    dist[start] = 0
    q = deque([start])
    while q:
        cur = q.popleft()
        if cur == target:
            break
        r, c = divmod(cur, m)
        d = dist[cur] + 1
        for nxt, ok in ((cur - m, r > 0), (cur + m, r < n - 1), (cur - 1, c > 0), (cur + 1, c < m - 1)):
            if ok and dist[nxt] == -1 and grid[nxt] != "#":
                dist[nxt] = d
                q.append(nxt)
    print(dist[target])


main()
