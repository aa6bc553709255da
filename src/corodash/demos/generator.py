"""2. A generator: Fibonacci numbers on demand

A function with `yield` returns a generator and runs nothing yet: `fibs` first appears when
the first `next()` starts its body (its frame pane shows `count` already set). Each `next()`
runs it up to its next `yield` and pauses it there, locals intact. Watch it yield 0, 1, 1,
2, 3..., suspended in between, and return when the count is reached. Its return value
travels in `StopIteration.value`.
"""


def fibonacci(count):
    a, b = 0, 1
    for _ in range(count):
        yield a
        a, b = b, a + b
    return f"{count} numbers"


fibs = fibonacci(7)
print("first two:", next(fibs), next(fibs))
print("the rest:", list(fibs))
