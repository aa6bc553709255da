"""Code that is not a coroutine: recursive calls and loops, no generator anywhere."""

import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 25


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def work():
    total = 0
    for i in range(200_000):
        total += i % 7
    return total + fib(N)


started = time.perf_counter()
work()
print(f"elapsed {time.perf_counter() - started:.6f}")
