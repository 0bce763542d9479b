import java.io.*;
import java.util.*;

// Wrong: a depth-first search finds *a* path to the exit, not the shortest.
public class Problem {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        StringTokenizer st = new StringTokenizer(in.readLine());
        int n = Integer.parseInt(st.nextToken()), m = Integer.parseInt(st.nextToken());
        char[][] g = new char[n][];
        for (int r = 0; r < n; r++) g[r] = in.readLine().trim().toCharArray();
        boolean[] seen = new boolean[n * m];
        ArrayDeque<int[]> stack = new ArrayDeque<>();
        for (int r = 0; r < n; r++)
            for (int c = 0; c < m; c++)
                if (g[r][c] == 'S') { stack.push(new int[]{r, c, 0}); seen[r * m + c] = true; }
        int[] dr = {1, -1, 0, 0}, dc = {0, 0, 1, -1};
        while (!stack.isEmpty()) {
            int[] cur = stack.pop();
            if (g[cur[0]][cur[1]] == 'T') { System.out.println(cur[2]); return; }
            for (int d = 0; d < 4; d++) {
                int nr = cur[0] + dr[d], nc = cur[1] + dc[d];
                if (nr < 0 || nr >= n || nc < 0 || nc >= m || g[nr][nc] == '#') continue;
                if (seen[nr * m + nc]) continue;
                seen[nr * m + nc] = true;
                stack.push(new int[]{nr, nc, cur[2] + 1});
            }
        }
        System.out.println(-1);
    }
}
