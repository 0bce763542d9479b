# Memory-hungry: a full (n+1) x (n+1) table of "ways in exactly j moves".
MOD = 10**9 + 7
n, k = map(int, input().split())
steps = [int(x) for x in input().split()]
dp = [[0] * (n + 1) for _ in range(n + 1)]
dp[0][0] = 1
for j in range(1, n + 1):
    prev, row = dp[j - 1], dp[j]
    for i in range(1, n + 1):
        row[i] = sum(prev[i - s] for s in steps if s <= i) % MOD
print(sum(dp[j][n] for j in range(n + 1)) % MOD)
