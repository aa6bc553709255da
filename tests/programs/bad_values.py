class Explodes:
    def __repr__(self):
        raise ValueError("no repr for you")


class Hangs:
    def __repr__(self):
        while True:
            pass


class Enormous:
    def __repr__(self):
        return "x" * 10_000_000


def values():
    yield Explodes()
    yield Hangs()
    yield Enormous()
    yield "y" * 5000
    yield 10**5000


print(sum(1 for _ in values()))
