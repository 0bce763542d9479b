import java.io.*;
import java.util.*;

public class Problem {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        StringTokenizer st = new StringTokenizer(in.readLine());
        int n = Integer.parseInt(st.nextToken()), m = Integer.parseInt(st.nextToken());
        char[][] g = new char[n][];
        for (int r = 0; r < n; r++) g[r] = in.readLine().trim().toCharArray();
        int[] dist = new int[n * m];
        Arrays.fill(dist, -1);
        ArrayDeque<Integer> q = new ArrayDeque<>();
        for (int r = 0; r < n; r++)
            for (int c = 0; c < m; c++)
                if (g[r][c] == 'S') { dist[r * m + c] = 0; q.add(r * m + c); }
        int[] dr = {1, -1, 0, 0}, dc = {0, 0, 1, -1};
        while (!q.isEmpty()) {
            int cur = q.poll(), r = cur / m, c = cur % m;
            if (g[r][c] == 'T') { System.out.println(dist[cur]); return; }
            for (int d = 0; d < 4; d++) {
                int nr = r + dr[d], nc = c + dc[d];
                if (nr < 0 || nr >= n || nc < 0 || nc >= m || g[nr][nc] == '#') continue;
                if (dist[nr * m + nc] != -1) continue;
                dist[nr * m + nc] = dist[cur] + 1;
                q.add(nr * m + nc);
            }
        }
        System.out.println(-1);
    }
}
