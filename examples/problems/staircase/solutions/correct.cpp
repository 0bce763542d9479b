#include <cstdio>
#include <vector>

int main() {
    const long long MOD = 1000000007;
    int n, k;
    scanf("%d %d", &n, &k);
    std::vector<int> s(k);
    for (int &x : s) scanf("%d", &x);
    std::vector<long long> dp(n + 1, 0);
    dp[0] = 1;
    for (int i = 1; i <= n; i++)
        for (int x : s)
            if (x <= i) dp[i] = (dp[i] + dp[i - x]) % MOD;
    printf("%lld\n", dp[n]);
}
