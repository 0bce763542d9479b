import java.io.*;
import java.util.*;

public class Problem {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int n = Integer.parseInt(in.readLine().trim());
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            StringTokenizer st = new StringTokenizer(in.readLine());
            x[i] = Double.parseDouble(st.nextToken());
            y[i] = Double.parseDouble(st.nextToken());
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            int j = (i + 1) % n;
            s += x[i] * y[j] - x[j] * y[i];
        }
        // Locale.ROOT: a decimal point whatever the machine's locale.
        System.out.println(String.format(Locale.ROOT, "%.9f", Math.abs(s) / 2));
    }
}
