n = 300000
flags = []
for i in range(n):
    flags += [True]
flags[0] = False
flags[1] = False
i = 2
while i * i < n:
    if flags[i]:
        j = i * i
        while j < n:
            flags[j] = False
            j += i
    i += 1
count = 0
total = 0
for k in range(n):
    if flags[k]:
        count += 1
        total += k % 1000
print(count, total)
