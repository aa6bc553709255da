def careful():
    while True:
        try:
            yield "ready"
        except ValueError as error:
            yield f"handled {error}"


worker = careful()
print(next(worker))
print(worker.throw(ValueError("bad input")))
worker.close()
print("closed")
