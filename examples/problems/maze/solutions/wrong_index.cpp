// Crashes on grids taller than wide: the cell index uses n where it needs m
// (r * n + c), and vector::at throws std::out_of_range (abort, SIGABRT).
#include <iostream>
#include <queue>
#include <string>
#include <vector>
using namespace std;

int main() {
    int n, m;
    cin >> n >> m;
    vector<string> g(n);
    for (auto &row : g) cin >> row;
    vector<int> dist(n * m, -1);
    queue<pair<int, int>> q;
    for (int r = 0; r < n; r++)
        for (int c = 0; c < m; c++)
            if (g[r][c] == 'S') {
                dist.at(r * n + c) = 0;
                q.push({r, c});
            }
    const int dr[] = {1, -1, 0, 0}, dc[] = {0, 0, 1, -1};
    while (!q.empty()) {
        auto [r, c] = q.front();
        q.pop();
        if (g[r][c] == 'T') {
            cout << dist.at(r * n + c) << "\n";
            return 0;
        }
        for (int d = 0; d < 4; d++) {
            int nr = r + dr[d], nc = c + dc[d];
            if (nr < 0 || nr >= n || nc < 0 || nc >= m || g[nr][nc] == '#') continue;
            if (dist.at(nr * n + nc) != -1) continue;
            dist.at(nr * n + nc) = dist.at(r * n + c) + 1;
            q.push({nr, nc});
        }
    }
    cout << -1 << "\n";
}
