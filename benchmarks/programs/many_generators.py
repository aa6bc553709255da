"""100,000 generators, created and kept, never started: 100,000 rows in the tasks pane."""

import sys

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def waiting(n):
    yield n


pending = [waiting(n) for n in range(COUNT)]
print("created", len(pending))
