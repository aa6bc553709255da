"""Greenlets made one after another, each gone before the next is made: a new one is often
put where the last one was, at the same address."""

from greenlet import greenlet


def worker(number):
    greenlet.getcurrent().parent.switch(number)


for number in range(40):
    glet = greenlet(worker)
    glet.switch(number)  # to the worker and back
    glet.switch()  # it returns
    del glet
