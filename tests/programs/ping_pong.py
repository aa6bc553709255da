from greenlet import greenlet


def ping():
    print("ping 1")
    pong_task.switch()
    print("ping 2")
    pong_task.switch()


def pong():
    print("pong 1")
    ping_task.switch()
    print("pong 2")


ping_task = greenlet(ping)
pong_task = greenlet(pong)
ping_task.switch()
print("main again")
