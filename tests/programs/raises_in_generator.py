def fragile():
    yield 1
    raise KeyError("missing")


for value in fragile():
    print(value)
