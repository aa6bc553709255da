import time

import gevent


def crunch(n):
    total = 0
    end = time.perf_counter() + 0.3
    while time.perf_counter() < end:
        for i in range(10_000):
            total += n * i
    return total


gevent.joinall([gevent.spawn(crunch, n) for n in range(3)])
