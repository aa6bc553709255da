"""A class-based iterator with values left when the top level ends."""


class Deck:
    def __init__(self, *cards):
        self.cards = list(cards)

    def __iter__(self):
        return self

    def __next__(self):
        if not self.cards:
            raise StopIteration
        return self.cards.pop(0)


countdown = Deck(2, 1)
print(next(countdown))
