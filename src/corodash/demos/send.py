"""3. send(): values travel into a running generator

`value = yield result` works both ways: the generator hands out `result` and pauses; the
caller's `send(x)` resumes it with `x` as `value`. Prime it with `next()` first: a
just-started generator has no `yield` waiting to receive. When this run finishes, try `s`
on `averager` to send your own numbers. On a yield, `'` goes back to the `send()` that
produced it; `[` and `]` step back and forth, `.` returns to the present.
"""


def running_average():
    total, count = 0.0, 0
    average = None
    while True:
        value = yield average
        total += value
        count += 1
        average = total / count


averager = running_average()
next(averager)
for reading in (10, 20, 60):
    print(f"sent {reading}, average now {averager.send(reading)}")
