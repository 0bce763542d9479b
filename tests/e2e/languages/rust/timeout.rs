fn fib(n: isize) -> isize {
    let (mut a, mut b) = (0isize, 1isize);
    let mut i = 0;
    while i < n {
        let t = a.wrapping_add(b);
        a = b;
        b = t;
    }
    a
}

fn main() {
    let candidate = fib;
    assert_eq!(candidate(10), 55);
}
