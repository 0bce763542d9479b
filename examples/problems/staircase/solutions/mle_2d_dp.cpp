// Memory-hungry: dp[j][i] = ways to reach step i in exactly j moves, an
// (n+1) x (n+1) table: right answers, but 80 GB for n = 100000.
#include <cstdio>
#include <vector>

int main() {
    const long long MOD = 1000000007;
    int n, k;
    scanf("%d %d", &n, &k);
    std::vector<int> s(k);
    for (int &x : s) scanf("%d", &x);
    std::vector<std::vector<long long>> dp(n + 1, std::vector<long long>(n + 1, 0));
    dp[0][0] = 1;
    long long answer = 0;
    for (int j = 1; j <= n; j++)
        for (int i = 1; i <= n; i++)
            for (int x : s)
                if (x <= i) dp[j][i] = (dp[j][i] + dp[j - 1][i - x]) % MOD;
    for (int j = 0; j <= n; j++) answer = (answer + dp[j][n]) % MOD;
    printf("%lld\n", answer);
}
