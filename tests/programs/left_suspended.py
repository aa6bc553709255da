from greenlet import greenlet


def worker():
    print("worker starts")
    value = main_greenlet.switch("paused")
    print("worker resumed with", value)
    return "worker done"


main_greenlet = greenlet.getcurrent()
paused_worker = greenlet(worker)
print(paused_worker.switch())
print("top level ends with the worker suspended")
