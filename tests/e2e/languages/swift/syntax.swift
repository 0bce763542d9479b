
func largest_divisor(n: Int) -> Int {
    var d: Int = "n minus one"
    while d > 1 {
        if n % d == 0 {
            return d
        }
        d -= 1
    }
    return 1
}

assert(largest_divisor(n: 10) == 5)
