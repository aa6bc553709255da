import gevent


def spinner():
    while True:
        gevent.sleep(0.01)


gevent.spawn(spinner).join()
