"""The SQLite writer queue on its own: how long writers wait for the write lock.

    python -m bench.writers [--processes 6] [--writes 150] [--hold-ms 3] [--repeat 3]

Several processes write to one SQLite file at once; each write holds the lock for a fixed
time (a sleep, like the I/O of a real write) so the numbers show the waiting, not the CPU,
and survive a busy machine better than the HTTP benchmark. Two ways of waiting, one after
the other: SQLite's own busy handler (polling with sleeps growing to 100 ms), and the
writer queue of ideaboard/database.py (flock(2) before BEGIN IMMEDIATE: the kernel wakes a
waiter when the lock is released). It prints latency percentiles of a whole write, wait
included, for each.
"""
from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from ideaboard.database import BUSY_TIMEOUT_MS, DatabaseBusy, WriterQueue


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def writer(path: str, queued: bool, writes: int, hold_s: float, start_at: float,
           results: multiprocessing.Queue) -> None:
    conn = connect(path)
    queue = WriterQueue(path + ".write-lock") if queued else None
    latencies, errors = [], 0
    while time.time() < start_at:
        time.sleep(0.001)
    for _ in range(writes):
        started = time.perf_counter()
        try:
            if queue:
                with queue.turn():
                    _write(conn, hold_s)
            else:
                _write(conn, hold_s)
        except (sqlite3.OperationalError, DatabaseBusy):
            errors += 1
            continue
        latencies.append(time.perf_counter() - started)
    results.put((latencies, errors))


def _write(conn: sqlite3.Connection, hold_s: float) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("INSERT INTO t (v) VALUES (?)", ("x" * 100,))
        time.sleep(hold_s)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def run(queued: bool, processes: int, writes: int, hold_ms: float) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "writers.sqlite3")
        connect(path).execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        results: multiprocessing.Queue = multiprocessing.Queue()
        start_at = time.time() + 0.5
        clock = time.perf_counter() + 0.5
        workers = [multiprocessing.Process(target=writer, args=(
            path, queued, writes, hold_ms / 1000, start_at, results)) for _ in range(processes)]
        for worker in workers:
            worker.start()
        collected = [results.get() for _ in workers]
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - clock
    latencies = sorted(ms * 1000 for batch, _ in collected for ms in batch)
    return {"p50": statistics.median(latencies),
            "p99": latencies[int(len(latencies) * 0.99) - 1], "max": latencies[-1],
            "errors": sum(errors for _, errors in collected), "writes": len(latencies),
            "per_second": len(latencies) / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=6)
    parser.add_argument("--writes", type=int, default=150)
    parser.add_argument("--hold-ms", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.processes} processes × {args.writes} writes, each holding the lock "
          f"{args.hold_ms} ms; latency of a write including its wait, in ms")
    print("| waiting | run | writes/s | p50 | p99 | max | p99 / p50 | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for queued, label in ((False, "SQLite busy handler"), (True, "writer queue")):
        for number in range(1, args.repeat + 1):
            r = run(queued, args.processes, args.writes, args.hold_ms)
            print(f"| {label} | {number} | {r['per_second']:.0f} | {r['p50']:.1f} | "
                  f"{r['p99']:.1f} | {r['max']:.1f} | "
                  f"{r['p99'] / r['p50']:.1f} | {r['errors']} |", flush=True)


if __name__ == "__main__":
    main()
