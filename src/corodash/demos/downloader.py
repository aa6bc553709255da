"""9. A concurrent downloader

The demo starts a small HTTP server on 127.0.0.1 (no internet needed) that takes 0.2 s to
answer each request, then fetches four pages with `urllib`, one greenlet per page. Patched,
the four requests overlap and finish in about 0.2 s; press `m` for patch mode off and they
queue up behind each other.
"""

from gevent import monkey

monkey.patch_all()

import threading  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402

import gevent  # noqa: E402


class SlowPages(BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(0.2)
        body = f"page {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), SlowPages)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_address[1]}"


def fetch(page):
    with urllib.request.urlopen(f"{base}/{page}") as response:
        return response.read().decode()


started = time.monotonic()
jobs = [gevent.spawn(fetch, page) for page in ("a", "b", "c", "d")]
gevent.joinall(jobs)
print([job.value for job in jobs])
print(f"elapsed {time.monotonic() - started:.1f}s")
server.shutdown()
