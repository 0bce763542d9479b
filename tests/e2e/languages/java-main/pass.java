import java.util.*;
import org.javatuples.*;

public class Main {
    static long sumToN(long n) {
        long total = 0;
        for (long i = 1; i <= n; i++) total += i;
        return total;
    }

    public static void main(String[] args) {
        assert sumToN(30L) == 465L;
        assert Pair.with(1L, 2L).getValue1() == 2L;
        System.out.println("ok");
    }
}
