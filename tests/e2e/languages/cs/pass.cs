using System;
using System.Numerics;
using System.Diagnostics;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Security.Cryptography;
class Problem {
    // Return the sum of the numbers from 1 to n.
    // >>> SumToN((30L))
    // (465L)
    public static long SumToN(long n) {
        long total = 0;
        for (long i = 1; i <= n; i++) total += i;
        return total;
    }
    // Return n factorial as a BigInteger.
    public static BigInteger Factorial(long n) {
        BigInteger r = BigInteger.One;
        for (long i = 2; i <= n; i++) r *= i;
        return r;
    }
    public static void Main(string[] args) {
    Debug.Assert(SumToN((1L)) == (1L));
    Debug.Assert(SumToN((6L)) == (21L));
    Debug.Assert(SumToN((11L)) == (66L));
    Debug.Assert(SumToN((30L)) == (465L));
    Debug.Assert(SumToN((100L)) == (5050L));
    Debug.Assert(Factorial((25L)).Equals(BigInteger.Parse("15511210043330985984000000")));
    Debug.Assert(new List<long>(new long[]{(long)1L, (long)2L}).SequenceEqual((new List<long>(new long[]{(long)1L, (long)2L}))));
    }

}
