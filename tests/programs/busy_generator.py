def busy():
    yield "ready"
    while True:  # the second next() never comes back
        pass


spinner = busy()
