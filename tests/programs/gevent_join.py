import gevent


def sleeper(name, naps):
    for nap in range(naps):
        print(name, nap)
        gevent.sleep(0.01)
    return name.upper()


first = gevent.spawn(sleeper, "a", 2)
second = gevent.spawn(sleeper, "b", 1)
first.join()
second.join()
print(first.value, second.value)
