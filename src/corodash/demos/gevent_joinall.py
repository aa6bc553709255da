"""7. gevent.joinall: wait for many at once

`joinall` waits for a whole list of greenlets. A classic slip is joining the same greenlet
three times (`g1.join(); g1.join(); g1.join()`): it looks the same here, because waiting on
one lets the others run too, but it waits for only one of them.
"""

import gevent


def countdown(name, start):
    for n in range(start, 0, -1):
        print(f"{name}: {n}")
        gevent.sleep(0.02)
    return name


racers = [
    gevent.spawn(countdown, name, start)
    for name, start in (("north", 3), ("south", 2), ("east", 4))
]
finished = gevent.joinall(racers)
print("finished:", sorted(g.value for g in finished))
