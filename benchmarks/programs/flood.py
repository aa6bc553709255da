"""Two greenlets switching forever, throttled to about RATE switch events a second."""

import sys
import time

from greenlet import greenlet

RATE = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
BURST = 1_000


def bounce():
    while True:
        main.switch()


main = greenlet.getcurrent()
other = greenlet(bounce)
while True:
    started = time.perf_counter()
    for _ in range(BURST // 2):
        other.switch()
    time.sleep(max(0.0, BURST / RATE - (time.perf_counter() - started)))
