#include <assert.h>
// Return the sum of the numbers from 1 to n.
long sum_to_n(long n) {
    long total = 0;
    for (long i = 1; i < n; i++) total += i;
    return total;
}
int main(void) {
    assert(sum_to_n(1) == 1);
    assert(sum_to_n(6) == 21);
    return 0;
}
