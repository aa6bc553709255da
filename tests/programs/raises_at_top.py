def helper():
    raise RuntimeError("top level failure")


print("before")
helper()
