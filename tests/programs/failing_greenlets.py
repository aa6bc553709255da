import gevent


def fragile(n):
    gevent.sleep(0.05)
    raise ValueError(f"greenlet {n} broke")


gevent.joinall([gevent.spawn(fragile, n) for n in range(2)])
print("joined")
