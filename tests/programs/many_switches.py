"""Two greenlets switching back and forth N times (default 1000): a flood of switches."""

import sys

from greenlet import greenlet

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 1000


def echo():
    while True:
        caller.switch()


caller = greenlet.getcurrent()
partner = greenlet(echo)
for _ in range(COUNT // 2):
    partner.switch()
print("switched", COUNT)
