def gen():
    while True:
        yield 1
g = gen()
