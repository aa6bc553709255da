"""A generator method: its state lives in ``self``, which the frame pane opens."""


class Playlist:
    def __init__(self, songs):
        self.songs = songs
        self.position = 0

    def play(self):
        while self.position < len(self.songs):
            song = self.songs[self.position]
            self.position += 1
            yield song


playlist = Playlist(["intro", "verse", "chorus"])
player = playlist.play()
print(next(player))
