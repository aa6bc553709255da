"""A generator made in a function and kept in a local, started only after a step."""


def numbers():
    yield 1
    yield 2


def announce():
    yield "starting"


def main():
    later = numbers()
    for word in announce():
        print(word)
    print(next(later))


main()
