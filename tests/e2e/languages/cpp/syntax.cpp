#include<assert.h>
#include<bits/stdc++.h>
// Return the sum of the numbers from 1 to n.
long sum_to_n(long n) {
    long total = 0
    for (long i = 1; i <= n; i++) total += i;
    return total;
}
int main() {
    auto candidate = sum_to_n;
    assert(candidate((6)) == (21));
}
