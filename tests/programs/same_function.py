"""Tasks that run one function, told apart by what they were started with."""

import gevent


def worker(trade):
    for step in range(2):
        print(trade, "step", step)
        gevent.sleep(0)


def idle():
    gevent.sleep(0)


crew = [gevent.spawn(worker, trade) for trade in ("baker", "courier", "tailor")]
loafers = [gevent.spawn(idle) for _ in range(2)]
gevent.joinall(crew + loafers)
