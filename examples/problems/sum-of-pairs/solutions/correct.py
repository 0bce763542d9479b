import sys

data = sys.stdin.buffer.read().split()
t = int(data[0])
out = [str(int(data[1 + 2 * i]) + int(data[2 + 2 * i])) for i in range(t)]
print("\n".join(out))
