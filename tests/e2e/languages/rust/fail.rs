/// Wrong on purpose: off by one.
fn fib(n: isize) -> isize {
    let (mut a, mut b) = (0, 1);
    for _ in 0..n {
        let t = a + b;
        a = b;
        b = t;
    }
    b
}

fn main() {
    let candidate = fib;
    assert_eq!(candidate(10), 55);
}
