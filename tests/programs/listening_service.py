"""A gevent "service" that opts in to being attached: five workers that nap, and a hog
that holds the hub up for 0.2 s every 0.3 s. Prints its socket, then its greenlet tracer
every 0.1 s; runs for the seconds given (default 60)."""

import sys

import gevent
from gevent import monkey

monkey.patch_all()

import time  # noqa: E402

import greenlet  # noqa: E402

import corodash  # noqa: E402


def worker(n):
    while True:
        gevent.sleep(0.01)


def hog():
    while True:
        gevent.sleep(0.3)
        until = time.monotonic() + 0.2
        while time.monotonic() < until:
            pass


def report():
    while True:
        print("tracer", "none" if greenlet.gettrace() is None else "set", flush=True)
        gevent.sleep(0.1)


print("listening", corodash.listen(sys.argv[2] if len(sys.argv) > 2 else None), flush=True)
tasks = [gevent.spawn(worker, n) for n in range(5)] + [gevent.spawn(hog), gevent.spawn(report)]
gevent.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 60)
