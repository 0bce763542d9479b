import java.util.*;

// Wrong: forgets the modulus (and long overflows past n = 90 anyway).
public class Problem {
    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        int n = sc.nextInt(), k = sc.nextInt();
        int[] s = new int[k];
        for (int i = 0; i < k; i++) s[i] = sc.nextInt();
        long[] dp = new long[n + 1];
        dp[0] = 1;
        for (int i = 1; i <= n; i++)
            for (int x : s)
                if (x <= i) dp[i] += dp[i - x];
        System.out.println(dp[n]);
    }
}
