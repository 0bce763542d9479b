import java.util.*;
import java.lang.reflect.*;
import org.javatuples.*;
import java.security.*;
import java.math.*;
import java.io.*;
import java.util.stream.*;
class Problem {
    // Return the sum of the numbers from 1 to n.
    // >>> sumToN((30l))
    // (465l)
    public static long sumToN(long n) {
        long total = 0;
        for (long i = 1; i <= n; i++) total += i;
        return total;
    }
    // Return a pair of the smallest and largest element.
    public static Pair<Long, Long> minMax(ArrayList<Long> l) {
        return Pair.with(Collections.min(l), Collections.max(l));
    }
    public static void main(String[] args) {
    assert(sumToN((1l)) == (1l));
    assert(sumToN((6l)) == (21l));
    assert(sumToN((11l)) == (66l));
    assert(sumToN((30l)) == (465l));
    assert(sumToN((100l)) == (5050l));
    assert(minMax((new ArrayList<Long>(Arrays.asList((long)3l, (long)-1l, (long)7l)))).equals((Pair.with(-1l, 7l))));
    }

}
