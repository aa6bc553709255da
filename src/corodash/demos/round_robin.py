"""4. Multitasking with yield: a round-robin scheduler

Each task is a generator that does a little work and yields control back. The scheduler
keeps a queue and resumes the tasks in turn: cooperative multitasking in a dozen lines,
with no threads. The event log shows the tasks interleaving.
"""

from collections import deque


def worker(name, jobs):
    for job in range(jobs):
        print(f"{name} does job {job}")
        yield
    print(f"{name} is done")


def run(*tasks):
    ready = deque(tasks)
    while ready:
        task = ready.popleft()
        try:
            next(task)
        except StopIteration:
            continue
        ready.append(task)


run(worker("baker", 3), worker("courier", 2), worker("clerk", 1))
