import os


def countdown(n):
    while n:
        yield n
        n -= 1


print("before fork")
for tick in countdown(2):
    print("tick", tick)
pid = os.fork()
if pid == 0:
    print("in the child")
else:
    os.waitpid(pid, 0)
    print("parent done")
