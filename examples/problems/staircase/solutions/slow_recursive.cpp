// Too slow: the recursion without memoisation takes exponential time
// (fine for n = 25, hopeless for n = 60).
#include <cstdio>
#include <vector>

const long long MOD = 1000000007;
std::vector<int> s;

long long ways(int n) {
    if (n == 0) return 1;
    long long total = 0;
    for (int x : s)
        if (x <= n) total = (total + ways(n - x)) % MOD;
    return total;
}

int main() {
    int n, k;
    scanf("%d %d", &n, &k);
    s.resize(k);
    for (int &x : s) scanf("%d", &x);
    printf("%lld\n", ways(n));
}
