def nested(depth):
    yield from nested(depth + 1)


def from_depth(extra):
    """Start the nested generators ``extra`` frames deeper: across the attempts the limit
    is hit at every point of the tracer's own calls."""
    if extra:
        return from_depth(extra - 1)
    try:
        for _ in nested(0):
            pass
    except RecursionError:
        return 1
    return 0


print("caught", sum(from_depth(extra) for extra in range(40)), "RecursionErrors")
print("still running")
