def echo(start):
    received = yield start
    while received != "stop":
        received = yield received * 2
    return "stopped"


doubler = echo(1)
print(next(doubler))
print(doubler.send(5))
print(doubler.send("ab"))
try:
    doubler.send("stop")
except StopIteration as finished:
    print("returned", finished.value)
