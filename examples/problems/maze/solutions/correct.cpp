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
    queue<int> q;
    for (int r = 0; r < n; r++)
        for (int c = 0; c < m; c++)
            if (g[r][c] == 'S') {
                dist[r * m + c] = 0;
                q.push(r * m + c);
            }
    const int dr[] = {1, -1, 0, 0}, dc[] = {0, 0, 1, -1};
    while (!q.empty()) {
        int cur = q.front();
        q.pop();
        int r = cur / m, c = cur % m;
        if (g[r][c] == 'T') {
            cout << dist[cur] << "\n";
            return 0;
        }
        for (int d = 0; d < 4; d++) {
            int nr = r + dr[d], nc = c + dc[d];
            if (nr < 0 || nr >= n || nc < 0 || nc >= m || g[nr][nc] == '#') continue;
            if (dist[nr * m + nc] != -1) continue;
            dist[nr * m + nc] = dist[cur] + 1;
            q.push(nr * m + nc);
        }
    }
    cout << -1 << "\n";
}
