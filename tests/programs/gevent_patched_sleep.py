import time

import gevent
from gevent import monkey

monkey.patch_all()


def napper(name):
    for _ in range(3):
        time.sleep(0.2)
    return name


started = time.monotonic()
gevent.joinall([gevent.spawn(napper, name) for name in ("x", "y", "z")])
print(f"elapsed {time.monotonic() - started:.1f}")
