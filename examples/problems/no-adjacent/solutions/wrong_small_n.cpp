// Wrong: handles n = 2 but forgets that n = 3 has no solution either
// (prints "2 1 3", where 2 and 1 are neighbours).
#include <cstdio>

int main() {
    int n;
    scanf("%d", &n);
    if (n == 2) {
        puts("NO SOLUTION");
        return 0;
    }
    for (int v = 2; v <= n; v += 2) printf("%d ", v);
    for (int v = 1; v <= n; v += 2) printf("%d ", v);
    printf("\n");
}
