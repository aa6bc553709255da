def one(n):
    yield n


gens = [one(n) for n in range(20000)]
print(sum(next(g) for g in gens))
