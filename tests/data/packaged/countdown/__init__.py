"""A package run with ``-m countdown``: its __init__ runs first, as under python -m."""

print("countdown imported")
