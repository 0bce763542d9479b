# Presentation error: says "Impossible" where the statement asks for
# "NO SOLUTION" (the checker answers PE for a token that is neither).
n = int(input())
if n in (2, 3):
    print("Impossible")
else:
    print(*(list(range(2, n + 1, 2)) + list(range(1, n + 1, 2))))
