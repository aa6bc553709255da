"""A short tour: a generator, a value sent into it, two greenlets, three gevent tasks."""

import gevent
from greenlet import greenlet


def countdown(start):
    """Counts down; a value sent in restarts the count from there."""
    n = start
    while n > 0:
        restart = yield n
        n = restart if restart is not None else n - 1
    return "lift-off"


ticker = countdown(3)
print("first:", next(ticker))
print("after send(5):", ticker.send(5))
print("the rest:", list(ticker))


def ping():
    for i in range(2):
        print("ping", i)
        pong_greenlet.switch()


def pong():
    for i in range(2):
        print("pong", i)
        ping_greenlet.switch()


ping_greenlet = greenlet(ping)
pong_greenlet = greenlet(pong)
ping_greenlet.switch()


def worker(name, naps):
    for i in range(naps):
        print(f"{name} nap {i}")
        gevent.sleep(0.01)
    return f"{name} rested"


crew = [gevent.spawn(worker, name, 2) for name in ("ada", "bob", "cy")]
gevent.joinall(crew)
print([g.value for g in crew])
