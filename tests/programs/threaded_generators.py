import threading


def numbers(n):
    for i in range(n):
        yield i


results = []
worker = threading.Thread(target=lambda: results.append(sum(numbers(3))))
worker.start()
worker.join()
print(results, sum(numbers(2)))
