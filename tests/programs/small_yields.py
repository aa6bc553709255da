"""A generator yielding values a record holds whole (ints that fit 32 bits, None, True,
False) and values it does not (a bigger int, a string)."""


def values():
    yield 1
    yield -7
    yield 2**31 - 1
    yield 2**31
    yield None
    yield True
    yield False
    yield "text"


for value in values():
    print(value)
