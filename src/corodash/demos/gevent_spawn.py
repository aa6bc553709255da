"""6. gevent: spawn and join

`gevent.spawn` creates a Greenlet and schedules it; nothing runs until the current greenlet
waits. `join()` waits, which hands control to gevent's hub, and the hub runs whichever
greenlet is ready. `gevent.sleep` is a cooperative wait: the three cooks take turns.
"""

import gevent


def cook(dish, minutes):
    for minute in range(minutes):
        print(f"{dish}: minute {minute}")
        gevent.sleep(0.05)
    return f"{dish} ready"


soup = gevent.spawn(cook, "soup", 3)
rice = gevent.spawn(cook, "rice", 2)
tea = gevent.spawn(cook, "tea", 1)
soup.join()
rice.join()
tea.join()
print(soup.value, rice.value, tea.value)
