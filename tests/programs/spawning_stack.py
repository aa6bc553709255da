"""Where gevent says a Greenlet was spawned: the first frame of its spawning stack."""

import gevent


def work():
    pass


glet = gevent.spawn(work)
frame = glet.spawning_stack
print("spawned at", frame.f_code.co_filename.rsplit("/", 1)[-1], frame.f_lineno)
print("spawn is named", gevent.spawn.__name__)
glet.join()
