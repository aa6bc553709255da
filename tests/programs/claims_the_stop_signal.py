import os
import signal

signal.signal(signal.SIGRTMIN + 5, lambda signum, frame: print("my handler ran", flush=True))
os.kill(os.getpid(), signal.SIGRTMIN + 5)
total = 0
while True:  # never yields: only a signal can pause it
    total += 1
