"""A generator yielding 1,000,000 values: two events (resume, yield) per value."""

import sys
import time

VALUES = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


def numbers(n):
    for i in range(n):
        yield i


started = time.perf_counter()
total = 0
for value in numbers(VALUES):
    total += value
print(f"elapsed {time.perf_counter() - started:.6f}")
