def task(name, steps):
    for step in range(steps):
        print(f"{name} step {step}")
        yield


def run_all(tasks):
    while tasks:
        current = tasks.pop(0)
        try:
            next(current)
        except StopIteration:
            continue
        tasks.append(current)


run_all([task("a", 2), task("b", 1)])
