def accumulate():
    total = 0
    while True:
        got = yield total
        total += got


def ticker():
    count = 0
    while True:
        yield count
        count += 1


totals = accumulate()
next(totals)
for tick in ticker():
    pass
