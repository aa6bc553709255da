"""10,000 gevent greenlets, each doing 10 gevent.sleep(0) (argv: greenlets, sleeps)."""

import sys
import time

import gevent

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
SLEEPS = int(sys.argv[2]) if len(sys.argv) > 2 else 10


def napper():
    for _ in range(SLEEPS):
        gevent.sleep(0)


started = time.perf_counter()
gevent.joinall([gevent.spawn(napper) for _ in range(COUNT)])
print(f"elapsed {time.perf_counter() - started:.6f}")
