// Wrong: two decimals are not enough for small polygons (0.0005 -> 0.00).
#include <cmath>
#include <cstdio>

int main() {
    int n;
    scanf("%d", &n);
    double x0, y0, px, py, s = 0;
    scanf("%lf %lf", &x0, &y0);
    px = x0, py = y0;
    for (int i = 1; i < n; i++) {
        double x, y;
        scanf("%lf %lf", &x, &y);
        s += px * y - x * py;
        px = x, py = y;
    }
    s += px * y0 - x0 * py;
    printf("%.2f\n", std::fabs(s) / 2);
}
