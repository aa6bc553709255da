"""Two greenlets resolving a name: gevent's default resolver runs it in its thread pool,
whose workers are greenlets of gevent's own, in other threads."""

from gevent import monkey

monkey.patch_all()

import socket  # noqa: E402

import gevent  # noqa: E402


def resolve(name):
    return socket.getaddrinfo(name, 80)[0][4][0]


lookups = [gevent.spawn(resolve, "localhost") for _ in range(2)]
gevent.joinall(lookups)
print(sorted({lookup.value for lookup in lookups}))
