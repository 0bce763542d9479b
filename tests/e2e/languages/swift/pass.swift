
/// Return the largest divisor of n that is smaller than n.
func largest_divisor(n: Int) -> Int {
    var d = n - 1
    while d > 1 {
        if n % d == 0 {
            return d
        }
        d -= 1
    }
    return 1
}

assert(largest_divisor(n: 3) == 1)
assert(largest_divisor(n: 7) == 1)
assert(largest_divisor(n: 10) == 5)
assert(largest_divisor(n: 100) == 50)
assert(largest_divisor(n: 49) == 7)
