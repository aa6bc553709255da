from collections import Iterable

print(isinstance([1], Iterable))
