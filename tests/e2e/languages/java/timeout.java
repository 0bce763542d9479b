import java.util.*;
import java.lang.reflect.*;
import org.javatuples.*;
import java.security.*;
import java.math.*;
import java.io.*;
import java.util.stream.*;
class Problem {
    // Return the sum of the numbers from 1 to n.
    public static long sumToN(long n) {
        long total = 0;
        while (true) { total += n; if (total == Long.MIN_VALUE + 7) break; }
        return total;
    }
    public static void main(String[] args) {
    assert(sumToN((6l)) == (21l));
    }

}
