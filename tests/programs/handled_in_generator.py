"""Generators looped by `for` that raise and handle exceptions between their yields."""


def careful():
    for n in range(3):
        try:
            if n == 1:
                raise ValueError("odd one")
            yield n
        except ValueError:
            yield "handled"
    yield None


for value in careful():
    print(value)


def doubled():
    for value in careful():
        yield value * 2 if isinstance(value, int) else value


print(list(doubled()))
