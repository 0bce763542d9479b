import java.util.*;

public class Problem {
    public static void main(String[] args) {
        final long MOD = 1_000_000_007L;
        Scanner sc = new Scanner(System.in);
        int n = sc.nextInt(), k = sc.nextInt();
        int[] s = new int[k];
        for (int i = 0; i < k; i++) s[i] = sc.nextInt();
        long[] dp = new long[n + 1];
        dp[0] = 1;
        for (int i = 1; i <= n; i++)
            for (int x : s)
                if (x <= i) dp[i] = (dp[i] + dp[i - x]) % MOD;
        System.out.println(dp[n]);
    }
}
