"""One gevent worker on loopback; it calls corodash.listen() when CORODASH_LISTEN=1."""

import os

bind = "127.0.0.1:0"
workers = 1
worker_class = "gevent"
loglevel = "info"


def post_worker_init(worker):
    if os.environ.get("CORODASH_LISTEN") == "1":
        import corodash

        print("corodash listening", corodash.listen(), flush=True)
    else:
        print("corodash not listening", flush=True)
