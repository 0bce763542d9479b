#include<assert.h>
#include<bits/stdc++.h>
// Return the sum of the numbers from 1 to n.
// >>> sum_to_n((30))
// (465)
long sum_to_n(long n) {
    long total = 0;
    for (long i = 1; i <= n; i++) total += i;
    return total;
}
// Return the elements of l that are greater than zero.
std::vector<long> get_positive(std::vector<long> l) {
    std::vector<long> out;
    for (long x : l) if (x > 0) out.push_back(x);
    return out;
}
int main() {
    auto candidate = sum_to_n;
    assert(candidate((1)) == (1));
    assert(candidate((6)) == (21));
    assert(candidate((11)) == (66));
    assert(candidate((30)) == (465));
    assert(candidate((100)) == (5050));
    assert(get_positive((std::vector<long>({(long)-1, (long)2, (long)-4, (long)5, (long)6}))) == (std::vector<long>({(long)2, (long)5, (long)6})));
}
