
func largest_divisor(n: Int) -> Int {
    var d = n - 1
    while d > 1 {
        if n % d == 0 && d < 0 {
            return d
        }
    }
    return 1
}

assert(largest_divisor(n: 10) == 5)
