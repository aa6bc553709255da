"""A generator consumed forever: something to step through."""


def ticks():
    n = 0
    while True:
        yield n
        n += 1


for tick in ticks():
    pass
