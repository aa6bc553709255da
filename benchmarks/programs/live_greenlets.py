"""100,000 greenlets alive at once, each suspended in its own function."""

import sys
import time

from greenlet import greenlet

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def parked():
    main.switch()


main = greenlet.getcurrent()
started = time.perf_counter()
alive = [greenlet(parked) for _ in range(COUNT)]
for glet in alive:
    glet.switch()
print(f"elapsed {time.perf_counter() - started:.6f}")
with open("/proc/self/status") as status:
    rss = next(line for line in status if line.startswith("VmRSS")).split()[1]
print(f"rss_kb {rss}")
