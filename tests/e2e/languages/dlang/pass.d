import std.math;
import std.typecons;
/*
Return the sum of the numbers from 1 to n.
    >>> sum_to_n(30L)
    465L
*/
long sum_to_n(long n) 
{
    long total = 0;
    foreach (i; 1 .. n + 1) total += i;
    return total;
}
/*
Return the smallest and largest element.
*/
Tuple!(long, long) min_max(long[] l) 
{
    import std.algorithm : minElement, maxElement;
    return tuple(l.minElement, l.maxElement);
}

unittest
{
    alias candidate = sum_to_n;

    assert(candidate(1L) == 1L);
    assert(candidate(6L) == 21L);
    assert(candidate(11L) == 66L);
    assert(candidate(30L) == 465L);
    assert(candidate(100L) == 5050L);
    assert(min_max([3L, -1L, 7L]) == tuple(-1L, 7L));
}
void main(){}
