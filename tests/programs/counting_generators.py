"""Generators looped by `for` long enough to fill blocks of whole records: one alone, then
two in step, then one yielding values no record holds."""

import sys

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 5000


def count(n, step=1):
    for i in range(0, n * step, step):
        if i % 3:
            yield i
        else:
            yield -i  # another line


total = sum(value for value in count(COUNT))
for a, b in zip(count(COUNT), count(COUNT, -1)):
    total += a + b
for value in count(COUNT // 10, 2**40):
    total += value
print(total)
