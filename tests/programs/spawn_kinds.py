"""gevent Greenlets spawned every way: a function with and without arguments, keywords, a
bound method, a callable object, a lambda, and spawn_later."""

import gevent


def brew(kind, cups=1):
    gevent.sleep(0)
    return f"{cups} {kind}"


class Kettle:
    def boil(self):
        gevent.sleep(0)

    def __call__(self):
        gevent.sleep(0)


def rest():
    gevent.sleep(0)


kettle = Kettle()
crew = [
    gevent.spawn(rest),
    gevent.spawn(brew, "tea"),
    gevent.spawn(brew, "coffee", cups=2),
    gevent.spawn(kettle.boil),
    gevent.spawn(kettle),
    gevent.spawn(lambda: gevent.sleep(0)),
    gevent.spawn_later(0, brew, "cocoa"),
]
gevent.joinall(crew)
print([glet.value for glet in crew])
