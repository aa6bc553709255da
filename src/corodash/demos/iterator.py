"""1. An iterator, written as a class

A `for` loop calls `iter()` once, then `next()` until `StopIteration`. A class that
defines `__iter__` and `__next__` takes part in that protocol. Step through it: every
`next()` resumes `Playlist.__next__`, which hands back one song; the last call raises
`StopIteration` and the loop ends.
"""


class Playlist:
    def __init__(self, *songs):
        self.songs = list(songs)
        self.position = 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.position >= len(self.songs):
            raise StopIteration
        song = self.songs[self.position]
        self.position += 1
        return song


queue = Playlist("intro", "verse", "chorus")
for song in queue:
    print("now playing:", song)
