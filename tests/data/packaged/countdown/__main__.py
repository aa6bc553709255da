import sys

from countdown.ticks import ticks

start = int(sys.argv[1]) if len(sys.argv) > 1 else 2
print("argv", sys.argv[1:], "as", __name__, "in", __package__)
for tick in ticks(start):
    print("tick", tick)
