import sys

piece = "x" * 1024
for _ in range(20 * 1024):
    sys.stdout.write(piece)
sys.stdout.write("\n")
for percent in range(50_000):
    sys.stdout.write(f"\r{percent // 500}%")
sys.stdout.write("\rdone\n")
