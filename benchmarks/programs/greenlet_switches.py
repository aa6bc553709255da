"""1,000,000 switches between two greenlets (500,000 there and back)."""

import sys
import time

from greenlet import greenlet

SWITCHES = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


def bounce():
    while True:
        main.switch()


main = greenlet.getcurrent()
other = greenlet(bounce)
started = time.perf_counter()
for _ in range(SWITCHES // 2):
    other.switch()
print(f"elapsed {time.perf_counter() - started:.6f}")
