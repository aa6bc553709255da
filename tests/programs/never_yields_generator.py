import time


def numbers():
    n = 0
    while True:
        yield n
        n += 1


for number in numbers():
    time.sleep(0.002)
