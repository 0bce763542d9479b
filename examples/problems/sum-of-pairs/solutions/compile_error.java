import java.util.*;

// Does not compile here: a public class Main must live in Main.java, and the
// server writes the source to Problem.java (name the class Problem).
public class Main {
    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        int t = sc.nextInt();
        while (t-- > 0) System.out.println(sc.nextLong() + sc.nextLong());
    }
}
