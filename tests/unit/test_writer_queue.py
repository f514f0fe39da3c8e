"""The SQLite writer queue (ideaboard/database.py): writers of several processes get their
turn in the order they asked for it, one at a time, and a writer that gives up — even one
whose process then ends — does not let the next one overtake the writer holding the turn
(issue 13)."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from ideaboard.database import DatabaseBusy, WriterQueue

WAITER = """
import sys, time
from ideaboard import database
from ideaboard.database import WriterQueue
database.STALLED_AFTER_SECONDS = 60  # these turns are held on purpose
lock_path, name, log, wait = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
print("asking", flush=True)
try:
    with WriterQueue(lock_path).turn(wait):
        with open(log, "a") as out:
            out.write(name + " in\\n")
        time.sleep(0.05)
        with open(log, "a") as out:
            out.write(name + " out\\n")
except Exception as error:
    with open(log, "a") as out:
        out.write(name + " gave up\\n")
"""


def start_waiter(lock_path, name, log, wait=60.0) -> subprocess.Popen:
    waiter = subprocess.Popen([sys.executable, "-c", WAITER, lock_path, name, str(log),
                               str(wait)], stdout=subprocess.PIPE, text=True)
    assert waiter.stdout.readline().strip() == "asking"
    time.sleep(0.15)  # it has taken its ticket before the next one asks
    return waiter


def test_writers_of_several_processes_get_their_turn_in_arrival_order(tmp_path):
    lock_path, log = str(tmp_path / "db.sqlite3.write-lock"), tmp_path / "order.log"
    holder = WriterQueue(lock_path)
    with holder.turn():
        waiters = [start_waiter(lock_path, f"w{i}", log) for i in range(5)]
        time.sleep(0.2)
        assert not log.exists(), "nobody writes while the turn is held"
    for waiter in waiters:
        waiter.wait(timeout=20)
    lines = log.read_text().splitlines()
    assert lines == [f"w{i} {what}" for i in range(5) for what in ("in", "out")]


def test_a_writer_that_gives_up_and_exits_keeps_the_next_one_behind_the_holder(tmp_path):
    lock_path, log = str(tmp_path / "db.sqlite3.write-lock"), tmp_path / "order.log"
    holder = WriterQueue(lock_path)
    with holder.turn():
        impatient = start_waiter(lock_path, "impatient", log, wait=0.3)
        patient = start_waiter(lock_path, "patient", log)
        impatient.wait(timeout=10)
        time.sleep(0.3)
        assert log.read_text().splitlines() == ["impatient gave up"]
        log.write_text("")
    patient.wait(timeout=10)
    assert log.read_text().splitlines() == ["patient in", "patient out"]


def test_the_wait_is_bounded_and_a_stuck_turn_refuses_newcomers_at_once(tmp_path, monkeypatch):
    from ideaboard import database

    monkeypatch.setattr(database, "STALLED_AFTER_SECONDS", 0.2)
    queue = WriterQueue(str(tmp_path / "db.sqlite3.write-lock"))
    other = WriterQueue(queue.lock_path)  # as another process would see it
    with queue.turn():
        started = time.monotonic()
        with pytest.raises(DatabaseBusy), other.turn(0.1):
            pass
        assert time.monotonic() - started < 1
        time.sleep(0.3)  # the turn has now lasted longer than STALLED_AFTER_SECONDS
        started = time.monotonic()
        with pytest.raises(DatabaseBusy), other.turn(5):
            pass
        assert time.monotonic() - started < 0.5, "refused without queueing"
    with other.turn(1):
        pass  # free again
