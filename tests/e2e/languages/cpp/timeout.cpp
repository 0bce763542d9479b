#include<assert.h>
#include<bits/stdc++.h>
// Return the sum of the numbers from 1 to n.
long sum_to_n(long n) {
    volatile long total = 0;
    while (true) total += n;
    return total;
}
int main() {
    auto candidate = sum_to_n;
    assert(candidate((6)) == (21));
}
