import time

while True:
    print("tick")
    time.sleep(0.05)
