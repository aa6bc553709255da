"""The agent: the process that runs the user's program, traced.

Everything in this package runs beside the user's code, before and after gevent patches the
world, so it imports nothing from the UI (no textual, no rich) and takes its threads and locks
from ``_thread`` before any patching can replace them.
"""
