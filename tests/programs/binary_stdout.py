import sys
sys.stdout.buffer.write(b"bytes out\n")
print("text out")
