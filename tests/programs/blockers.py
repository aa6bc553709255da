import time, gevent, subprocess, socket, threading

def sleeper():
    time.sleep(0.25)

def busy():
    end = time.monotonic() + 0.2
    total = 0
    while time.monotonic() < end:
        for i in range(10_000):
            total += i

def runner():
    subprocess.run(["sleep", "0.2"])

server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen()
def serve():
    conn, _ = server.accept(); time.sleep(0.3); conn.sendall(b"hi"); conn.close()
threading.Thread(target=serve, daemon=True).start()
def receiver():
    sock = socket.create_connection(server.getsockname())
    data = sock.recv(10)

gevent.joinall([gevent.spawn(f) for f in (sleeper, busy, runner, receiver)])
