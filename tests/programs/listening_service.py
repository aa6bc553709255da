"""A gevent "service" that opts in to being attached: five workers that nap, a hog that
holds the hub up for 0.2 s every 0.3 s, and a counter that runs a generator. Prints its
socket, then every 0.1 s its greenlet tracer and how many sys.monitoring tool ids are taken;
runs for the seconds given (default 60)."""

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


def countdown(n):
    while n:
        yield n
        n -= 1


def counter():
    while True:
        for _ in countdown(3):
            gevent.sleep(0.02)


def report():
    while True:
        tracer = "none" if greenlet.gettrace() is None else "set"
        monitoring = getattr(sys, "monitoring", None)  # 3.12+: tool ids in use
        tools = sum(monitoring.get_tool(n) is not None for n in range(6)) if monitoring else 0
        print("tracer", tracer, "tools", tools, flush=True)
        gevent.sleep(0.1)


print("listening", corodash.listen(sys.argv[2] if len(sys.argv) > 2 else None), flush=True)
tasks = [gevent.spawn(worker, n) for n in range(5)]
tasks += [gevent.spawn(hog), gevent.spawn(report), gevent.spawn(counter)]
gevent.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 60)
