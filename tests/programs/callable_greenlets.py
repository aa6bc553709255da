from functools import partial

from greenlet import greenlet


def work(n):
    return n


class Job:
    def __call__(self):
        return 1


pending = greenlet(partial(work, 21))
queued = greenlet(Job())
