"""A WSGI app for a gunicorn gevent worker: "/" answers at once, "/slow" keeps gevent's hub
busy for 0.3 s (the handler a user hunts for), "/tracer" tells the worker's greenlet tracer."""

import time

import greenlet


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/slow":
        until = time.monotonic() + 0.3
        while time.monotonic() < until:  # busy: no other request is served meanwhile
            pass
        body = b"slow done"
    elif path == "/tracer":
        body = repr(greenlet.gettrace()).encode()
    else:
        body = b"ok"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
