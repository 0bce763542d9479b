#include <cmath>
#include <cstdio>
#include <vector>

int main() {
    int n;
    scanf("%d", &n);
    std::vector<double> x(n), y(n);
    for (int i = 0; i < n; i++) scanf("%lf %lf", &x[i], &y[i]);
    double s = 0;
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        s += x[i] * y[j] - x[j] * y[i];
    }
    printf("%.9f\n", std::fabs(s) / 2);
}
