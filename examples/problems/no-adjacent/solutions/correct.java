// Another right answer than the jury's: odds descending, then evens
// descending (5 3 1 4 2; n = 4: 3 1 4 2).
public class Problem {
    public static void main(String[] args) {
        int n = new java.util.Scanner(System.in).nextInt();
        if (n == 2 || n == 3) {
            System.out.println("NO SOLUTION");
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (int v = n % 2 == 1 ? n : n - 1; v >= 1; v -= 2) sb.append(v).append(' ');
        for (int v = n % 2 == 0 ? n : n - 1; v >= 2; v -= 2) sb.append(v).append(' ');
        System.out.println(sb.toString().trim());
    }
}
