"""The broad-support fit on a benchmark tier: how long it takes, and that the SQLite write
lock stays free while the model computes.

    python -m bench.fit --tier S|M [--runs 3] [--database-url URL]

Runs `refresh_broad_support()` (what `flask fit-broad-support` runs) several times on a
working copy of the tier's dataset. Meanwhile a separate process (its own interpreter, so the
fit's GIL cannot delay it) takes SQLite's write lock every 25 ms for a one-row UPDATE and
records how long it waited: a fit that held the lock while computing would show a wait as
long as the fit itself. bench/run.py calls `measure_fit` for its "fit" row.
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.dataset import DATA_DIR, TIERS, bench_app, default_database_url, ensure_dataset
from bench.dataset import sqlite_path as dataset_sqlite_path

PROBE_INTERVAL = 0.025
PROBE = r"""
import sqlite3, sys, time
path, interval, stop_file = sys.argv[1], float(sys.argv[2]), sys.argv[3]
conn = sqlite3.connect(path, timeout=60, isolation_level=None)
waits = []
import os
while not os.path.exists(stop_file):
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    waited = time.perf_counter() - started
    conn.execute("UPDATE site_settings SET review_sla_days = review_sla_days WHERE id = 1")
    conn.execute("COMMIT")
    waits.append(waited)
    time.sleep(interval)
print(len(waits), max(waits) if waits else 0.0, sorted(waits)[int(len(waits) * 0.99)]
      if waits else 0.0)
"""


@dataclass
class FitRun:
    seconds: float
    load_seconds: float
    fit_seconds: float
    write_seconds: float
    longest_write_transaction_ms: float
    sweeps: int
    converged: bool
    votes: int
    scored: int
    badges: int
    probe_writes: int | None = None
    longest_lock_wait_ms: float | None = None
    p99_lock_wait_ms: float | None = None


@dataclass
class FitMeasurement:
    tier: str
    runs: list[FitRun] = field(default_factory=list)

    @property
    def seconds(self) -> list[float]:
        return [run.seconds for run in self.runs]

    def summary(self) -> dict:
        waits = [r.longest_lock_wait_ms for r in self.runs if r.longest_lock_wait_ms is not None]
        return {
            "runs": len(self.runs), "median_s": round(statistics.median(self.seconds), 2),
            "min_s": round(min(self.seconds), 2), "max_s": round(max(self.seconds), 2),
            "load_s": round(statistics.median(r.load_seconds for r in self.runs), 2),
            "fit_s": round(statistics.median(r.fit_seconds for r in self.runs), 2),
            "write_s": round(statistics.median(r.write_seconds for r in self.runs), 2),
            "sweeps": self.runs[-1].sweeps, "converged": self.runs[-1].converged,
            "votes": self.runs[-1].votes, "scored": self.runs[-1].scored,
            "badges": self.runs[-1].badges,
            "longest_write_transaction_ms": round(max(
                r.longest_write_transaction_ms for r in self.runs), 1),
            "longest_lock_wait_ms": round(max(waits), 1) if waits else None,
            "under_a_minute": max(self.seconds) < 60,
        }


def measure_fit(database_url: str, tier: str, runs: int = 3,
                log=print) -> FitMeasurement:
    """Time `runs` fits on `database_url` (a working copy: the fit writes scores)."""
    from ideaboard.services.broad_support import refresh_broad_support

    app = bench_app(database_url)
    path = dataset_sqlite_path(database_url)
    measurement = FitMeasurement(tier)
    with app.app_context():
        for n in range(1, runs + 1):
            probe, stop_file = _start_probe(path) if path else (None, None)
            started = time.perf_counter()
            report = refresh_broad_support()
            elapsed = time.perf_counter() - started
            run = FitRun(seconds=elapsed, load_seconds=report.load_seconds,
                         fit_seconds=report.fit_seconds, write_seconds=report.write_seconds,
                         longest_write_transaction_ms=report.longest_write_seconds * 1000,
                         sweeps=report.sweeps, converged=report.converged,
                         votes=report.votes, scored=report.scored, badges=report.badges)
            if probe is not None:
                writes, longest, p99 = _stop_probe(probe, stop_file)
                run.probe_writes, run.longest_lock_wait_ms = writes, longest * 1000
                run.p99_lock_wait_ms = p99 * 1000
            measurement.runs.append(run)
            log(f"  fit {n}/{runs}: {elapsed:.1f} s (load {report.load_seconds:.1f}, "
                f"fit {report.fit_seconds:.1f}, write {report.write_seconds:.1f}; "
                f"{report.sweeps} sweeps) on {report.votes:,} votes"
                + (f"; other writers waited at most {run.longest_lock_wait_ms:.0f} ms "
                   f"({run.probe_writes} writes)" if probe is not None else ""))
        from ideaboard.extensions import db
        db.engine.dispose()
    return measurement


def _start_probe(path: Path) -> tuple[subprocess.Popen, Path]:
    stop_file = path.with_name(path.name + ".probe-stop")
    stop_file.unlink(missing_ok=True)
    probe = subprocess.Popen([sys.executable, "-c", PROBE, str(path), str(PROBE_INTERVAL),
                              str(stop_file)], stdout=subprocess.PIPE, text=True)
    time.sleep(0.2)  # let it start writing before the fit does
    return probe, stop_file


def _stop_probe(probe: subprocess.Popen, stop_file: Path) -> tuple[int, float, float]:
    stop_file.touch()
    output, _ = probe.communicate(timeout=120)
    stop_file.unlink(missing_ok=True)
    writes, longest, p99 = output.split()
    return int(writes), float(longest), float(p99)


def working_copy(tier: str) -> str:
    """A fresh copy of the tier's SQLite dataset (the fit writes scores into it)."""
    ensure_dataset(tier)
    source = dataset_sqlite_path(default_database_url(tier))
    target = DATA_DIR / f"fit-{tier}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tier", choices=sorted(TIERS), default="M")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None,
                        help="fit there instead of a working copy of the tier (it writes)")
    args = parser.parse_args(argv)
    url = args.database_url or working_copy(args.tier)
    print(f"Broad-support fit, tier {args.tier}, {args.runs} runs "
          f"(load average {os.getloadavg()[0]:.2f})")
    measurement = measure_fit(url, args.tier, args.runs)
    print(json.dumps({"summary": measurement.summary(),
                      "runs": [asdict(run) for run in measurement.runs]}, indent=2))
    return 0 if measurement.summary()["under_a_minute"] else 1


if __name__ == "__main__":
    sys.exit(main())
