import multiprocessing


def work(n):
    print("worker got", n)


if __name__ == "__main__":
    process = multiprocessing.get_context("fork").Process(target=work, args=(5,))
    process.start()
    process.join()
    print("exit code", process.exitcode)
