// Crashes for n = 1: it fills the first two places before looking at n
// (ArrayIndexOutOfBoundsException, exit code 1).
public class Problem {
    public static void main(String[] args) {
        int n = new java.util.Scanner(System.in).nextInt();
        if (n == 2 || n == 3) {
            System.out.println("NO SOLUTION");
            return;
        }
        int[] p = new int[n];
        p[0] = 2;
        p[1] = 4 <= n ? 4 : 1;
        int k = 2;
        for (int v = 6; v <= n; v += 2) p[k++] = v;
        for (int v = 1; v <= n && k < n; v += 2) p[k++] = v;
        StringBuilder sb = new StringBuilder();
        for (int v : p) sb.append(v).append(' ');
        System.out.println(sb.toString().trim());
    }
}
