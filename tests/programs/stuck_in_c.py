import re
import sys

open(sys.argv[1], "w").close()  # the test waits for this file
re.match(r"(a+)+$", "a" * 64 + "b")  # catastrophic backtracking: C code that keeps the GIL
