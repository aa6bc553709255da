from greenlet import greenlet


class Always(greenlet):
    """A greenlet subclass that is true even once it has finished."""

    def __bool__(self):
        return True


def work():
    return "done"


job = Always(work)
print(job.switch())
