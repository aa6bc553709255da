import subprocess

for n in range(20):
    print("python", n)
    subprocess.run(["echo", "child", str(n)], check=True)
print("last")
