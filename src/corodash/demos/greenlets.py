"""5. Greenlets, switched by hand

A greenlet is a function with its own stack that you can leave and re-enter with
`switch()`. Here `ball` and `wall` pass control back and forth explicitly. Every switch is
an event: `switch main -> ball`, `switch ball -> wall`... When `ball` returns, control goes
back to its parent, `main`. `<` and `>` jump between switches in the run's history, with
each greenlet's locals as they were; `.` returns to the present.
"""

from greenlet import greenlet


def ball(hits):
    for hit in range(hits):
        print("ball hits", hit)
        wall_greenlet.switch()
    return "rally over"


def wall():
    while True:
        print("wall returns the ball")
        ball_greenlet.switch()


ball_greenlet = greenlet(ball)
wall_greenlet = greenlet(wall)
print(ball_greenlet.switch(3))
