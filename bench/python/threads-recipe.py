"""The seeds' recipe in CPython, for comparison with bench/multithread-scaling.ts in the same run.

For each count N: N calls of a CPU-bound Fibonacci one after another, then N threads making one call
each (started and joined, as the recipe does). Prints one JSON line of milliseconds, medians of the
given number of runs: {"python": "3.x", "fib": n, "sequential": {N: ms}, "threads": {N: ms}}.

Usage: python3 threads-recipe.py <fib n> <runs> <counts...>
"""
import json
import platform
import statistics
import sys
import threading
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def sequential(count, n):
    for _ in range(count):
        fib(n)


def threaded(count, n):
    threads = [threading.Thread(target=fib, args=(n,)) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def main():
    n, runs, counts = int(sys.argv[1]), int(sys.argv[2]), [int(c) for c in sys.argv[3:]]
    result = {"python": platform.python_version(), "fib": n, "sequential": {}, "threads": {}}
    fib(n)  # warm-up
    for count in counts:
        result["sequential"][count] = statistics.median(timed(sequential, count, n) for _ in range(runs))
        result["threads"][count] = statistics.median(timed(threaded, count, n) for _ in range(runs))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
