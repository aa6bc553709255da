import time

import gevent


def sleeper(name):
    for _ in range(3):
        time.sleep(0.2)
    return name


gevent.joinall([gevent.spawn(sleeper, name) for name in ("a", "b", "c")])
