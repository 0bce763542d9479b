# Too slow: exponential recursion without memoisation.
import sys

sys.setrecursionlimit(10**6)
MOD = 10**9 + 7
n, k = map(int, input().split())
steps = [int(x) for x in input().split()]


def ways(m):
    if m == 0:
        return 1
    return sum(ways(m - s) for s in steps if s <= m) % MOD


print(ways(n))
