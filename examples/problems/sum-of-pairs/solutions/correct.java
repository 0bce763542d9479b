import java.io.*;
import java.util.*;

// The server compiles Java as Problem.java and runs `java Problem`:
// the class with main() is called Problem.
public class Problem {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int t = Integer.parseInt(in.readLine().trim());
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < t; i++) {
            StringTokenizer st = new StringTokenizer(in.readLine());
            long a = Long.parseLong(st.nextToken());
            long b = Long.parseLong(st.nextToken());
            out.append(a + b).append('\n');
        }
        System.out.print(out);
    }
}
