import sys

calls = []


def count_calls(frame, event, arg):
    calls.append(frame.f_code.co_name)


def numbers():
    yield 1
    yield 2


print(sum(numbers()))
sys.settrace(count_calls)
print(sum(numbers()))
sys.settrace(None)
print("traced calls:", len(calls) > 0)
