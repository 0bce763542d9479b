# Accepted although sloppy: a trailing space on every line and blank lines at
# the end; the default checker (lines_rstrip) ignores both.
t = int(input())
for _ in range(t):
    a, b = map(int, input().split())
    print(a + b, end=" \n")
print()
print()
