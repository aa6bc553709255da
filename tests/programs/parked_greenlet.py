"""A greenlet parked two calls deep: its stack has two frames to choose from."""

from greenlet import greenlet


def leaf(n):
    depth = n * 2
    main.switch(f"parked at depth {depth}")


def branch():
    rounds = 1
    leaf(rounds + 1)


main = greenlet.getcurrent()
worker = greenlet(branch)
print(worker.switch())
