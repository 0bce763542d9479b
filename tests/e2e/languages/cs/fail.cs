using System;
using System.Numerics;
using System.Diagnostics;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Security.Cryptography;
class Problem {
    // Return the sum of the numbers from 1 to n.
    public static long SumToN(long n) {
        long total = 0;
        for (long i = 1; i < n; i++) total += i;
        return total;
    }
    public static void Main(string[] args) {
    Debug.Assert(SumToN((1L)) == (1L));
    Debug.Assert(SumToN((6L)) == (21L));
    }

}
