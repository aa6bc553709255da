import ctypes
import time

print("before the crash")
time.sleep(0.2)  # longer than a flush interval: this line must survive the crash
ctypes.string_at(0)  # SIGSEGV
