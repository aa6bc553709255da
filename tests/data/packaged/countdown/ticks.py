def ticks(start):
    while start:
        yield start
        start -= 1
