"""gunicorn with one gevent worker on loopback; the worker opts in to corodash attach."""

bind = "127.0.0.1:0"
workers = 1
worker_class = "gevent"
loglevel = "info"


def post_worker_init(worker):
    import corodash

    print("corodash listening", corodash.listen(), flush=True)
