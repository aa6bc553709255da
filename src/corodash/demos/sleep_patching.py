"""8. time.sleep with and without monkey patching

`time.sleep` blocks the whole thread, hub included, so three sleepy greenlets run one after
another. `monkey.patch_all()` swaps it for `gevent.sleep`, and they sleep together. This
program patches itself; press `m` to run it again with patching off, then on, and compare
the elapsed time it prints.
"""

import time

from gevent import monkey

monkey.patch_all()

import gevent  # noqa: E402 - after patching, as gevent's documentation advises


def napper(name):
    for _ in range(2):
        time.sleep(0.1)
    return name


started = time.monotonic()
gevent.joinall([gevent.spawn(napper, name) for name in ("ann", "ben", "cat")])
print(f"elapsed {time.monotonic() - started:.1f}s")
