import gevent


def work(n):
    gevent.sleep(0.05 * n)  # far apart: one finishes at a time, however fast the tracing
    return n


g1 = gevent.spawn(work, 1)
g2 = gevent.spawn(work, 2)
g3 = gevent.spawn(work, 3)
g1.join()
g1.join()
g1.join()
