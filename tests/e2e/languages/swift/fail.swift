
/// Wrong on purpose: returns the smallest divisor greater than 1.
func largest_divisor(n: Int) -> Int {
    var d = 2
    while d < n {
        if n % d == 0 {
            return d
        }
        d += 1
    }
    return 1
}

assert(largest_divisor(n: 10) == 5)
