import sys

print("\x1b[2J\x1b[Hwiped?")
for step in range(1, 4):
    sys.stdout.write(f"\rstep {step} of 3")
sys.stdout.write("\n")
print("after")
