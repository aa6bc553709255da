"""corodash: a terminal dashboard for Python coroutines (generators, greenlet, gevent)."""

__version__ = "0.1.0"


def listen(path: str | None = None) -> str:
    """Let ``corodash attach`` (and ``trace --attach``, ``repl --attach``) attach to this
    process later: a Unix socket, private to this user, served by a real OS thread. Call it
    from the thread that runs gevent's hub (for gunicorn: its ``post_worker_init`` hook).
    Costs nothing until someone attaches; returns the target to attach to."""
    from corodash.agent.listener import listen as start

    return start(path)
