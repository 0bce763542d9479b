#include <cstdio>

int main() {
    int n;
    scanf("%d", &n);
    if (n == 2 || n == 3) {
        puts("NO SOLUTION");
        return 0;
    }
    // All the even numbers, then all the odd ones: 2 4 ... 1 3 ...
    for (int v = 2; v <= n; v += 2) printf("%d ", v);
    for (int v = 1; v <= n; v += 2) printf("%d ", v);
    printf("\n");
}
