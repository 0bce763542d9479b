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
        while (total != -7) { total = (total + n) % 1000; }
        return total;
    }
    public static void Main(string[] args) {
    Debug.Assert(SumToN((6L)) == (21L));
    }

}
