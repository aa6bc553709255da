"""Two generators driven by one loop: a place for line, yield and run-to breakpoints."""


def counter(limit):
    total = 0
    for n in range(limit):
        total += n
        yield total


def other():
    yield "x"
    yield "y"


ticks = counter(5)
words = other()
for value in ticks:
    print("tick", value)
    if value == 3:
        print(next(words))
print("done")
