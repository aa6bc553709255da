def greeter():
    while True:
        name = yield
        print(f"hello {name}")


greet = greeter()
next(greet)
for _ in range(2):
    greet.send(input("name? "))
print("done")
