def accumulator():
    total = 0
    while True:
        try:
            value = yield total
        except ValueError as error:
            print("rejected", error)
            continue
        total += value


acc = accumulator()
