"""N gevent greenlets parked in sleep, and a listener: what attaching has to list."""

import sys

import gevent

import corodash


def parked(n):
    gevent.sleep(3600)


count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
tasks = [gevent.spawn(parked, n) for n in range(count)]
gevent.sleep(0)
print("listening", corodash.listen(), flush=True)
gevent.sleep(3600)
