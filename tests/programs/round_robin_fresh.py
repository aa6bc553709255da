def waiter():
    received = yield "first"
    while True:
        received = yield f"got {received}"


ready = waiter()
