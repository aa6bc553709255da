"""corodash: a terminal dashboard for Python coroutines (generators, greenlet, gevent)."""

__version__ = "0.1.0"
