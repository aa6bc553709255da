import sys

sys.stdout.buffer.write(bytes(range(0x80, 0x100)) + b"\n")
sys.stdout.buffer.write(b"caf\xc3\xa9 \xff\n")
print("text after")
