MOD = 10**9 + 7
n, k = map(int, input().split())
steps = [int(x) for x in input().split()]
dp = [0] * (n + 1)
dp[0] = 1
for i in range(1, n + 1):
    total = 0
    for s in steps:
        if s <= i:
            total += dp[i - s]
    dp[i] = total % MOD
print(dp[n])
