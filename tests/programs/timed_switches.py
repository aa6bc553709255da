"""Two bursts of greenlet switches with a 50 ms pause spent computing (no event) between
them, the clock read around each burst. The trace's times of the switches must fall inside
the readings."""

import time

from greenlet import greenlet


def bounce():
    while True:
        main.switch()


def burst():
    for _ in range(500):
        other.switch()


main = greenlet.getcurrent()
other = greenlet(bounce)
readings = [time.perf_counter()]
burst()
readings.append(time.perf_counter())
while time.perf_counter() < readings[-1] + 0.05:
    pass
readings.append(time.perf_counter())
burst()
readings.append(time.perf_counter())
print(" ".join(f"{reading:.9f}" for reading in readings))
