import gevent


def spin():
    while True:
        pass


gevent.spawn(spin).join()
