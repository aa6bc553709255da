import gevent


def cook(name):
    for step in range(3):
        print(name, "step", step)
        gevent.sleep(0.001)


gevent.joinall([gevent.spawn(cook, name) for name in ("soup", "bread")])
