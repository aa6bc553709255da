"""Greenlets made and never started: the program's own, one running a library's code that a
global name holds, and one only the heap holds (as gevent's thread-pool workers are, until
their own thread adopts them)."""

import json

from greenlet import greenlet


def worker():
    print("never runs")


mine = greenlet(worker)
borrowed = greenlet(json.dumps)
kept = [greenlet(json.loads)]
print("made three")
