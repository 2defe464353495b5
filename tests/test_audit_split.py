"""The audit on two cores (zoudu/audit/split.py): the same result as one process, line for line,
whatever the split point, and when the child process dies."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO, TZ, Clock, run_cli
from tests.test_audit_support import Book, workspace_at
from zoudu import record
from zoudu.errors import ZouduError
from zoudu.audit import audit_month, new_context, split
from zoudu.audit.entries import merge, read_lines
from zoudu.audit.load import month_source, read_others
from zoudu.workspace import Workspace

MONTH = "2026-10"
NOW = Clock(dt.datetime(2026, 11, 20, 12, 0, tzinfo=TZ))
needs_fork = pytest.mark.skipif(split.jobs() < 2 or not os.path.isdir("/proc/self/fd"),
                                reason="needs os.fork, two usable CPUs and /proc")


def generate(root, scale: int, history: int = 0) -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "gen_month.py"), str(root), "--scale", str(scale),
                           "--history", str(history)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def long_leave(ws: Workspace, start: str, end: str) -> tuple[str, str]:
    """(cadre, leave id) of a leave from an earlier month into October, for the first cadre free then."""
    for number in range(2, 60):
        cadre = f"c{number:05d}"
        try:
            return cadre, record.leave(ws, cadre, start, end, "病假", "c00001", None)[0]
        except ZouduError:  # already on leave then (the generator's), or a team member's approver
            continue
    raise AssertionError("no cadre free for a long leave")


def line(kind: str, when: str, n: int, **fields) -> str:
    """A line as the tool writes it (sorted keys), for the test cadre c09999."""
    entry = {"at": f"{when}:00+08:00", "by": "clerk", "cadre": "c09999", "hash": "x", "id": f"2026-10-{n}",
             "kind": kind, "recorded": f"{when}:00+08:00", **fields}
    return "- " + json.dumps(dict(sorted(entry.items())), ensure_ascii=False) + "\n"


@pytest.fixture(scope="module")
def township(tmp_path_factory):
    """A generated township (60 cadres, June to November) and a cadre c09999 whose Friday
    2026-10-16 is written near the start of October's file and again near its end (two wrong-place
    sign-ins, two witnessed visits, two visits without a witness), so that the order in which
    stretches are merged shows in the evidence. Hostile lines at the end: a YAML line typed by
    hand, a stranger, a line that is not UTF-8, a torn last line. Long leaves recorded in June,
    July and August run into October (one voided, one cancelled early), so that the earlier
    months, which the two processes share out, matter."""
    root = tmp_path_factory.mktemp("split") / "township"
    generate(root, 1, history=3)
    ws = Workspace(root, clock=NOW)
    record.roster_add(ws, "c09999", "测试", "干部", False, "c00001", "石庄村", "2026-01-01")
    long_leave(ws, "2026-06-15", "2026-10-09")
    record.void(ws, long_leave(ws, "2026-08-10", "2026-10-20")[1], "批错了", None)
    record.leave_cancel(ws, long_leave(ws, "2026-07-01", "2026-10-30")[0], "2026-10-05T12:00", None)
    path = root / "ledgers" / f"{MONTH}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)

    def friday(n: int, minute: int) -> list[str]:
        return [line("checkin", f"2026-10-16T14:{minute}", n, place="县城"),
                line("village", f"2026-10-16T10:{minute}", n + 1, stay=False, village="石庄村", witness="老王"),
                line("village", f"2026-10-16T11:{minute}", n + 2, stay=False, village="石庄村")]

    hostile = [
        "- {id: 2026-10-9001, kind: checkin, at: '2026-10-12T08:05:00+08:00', recorded: "
        "'2026-10-12T08:05:00+08:00', by: clerk, cadre: c00002, place: 党政办公室, hash: x}\n",
        line("checkin", "2026-10-13T08:00", 9002, place="x").replace("c09999", "c99999"),
    ]
    data = "".join(lines[:3] + friday(9100, 40) + lines[3:] + friday(9200, 50) + hostile).encode()
    path.write_bytes(data + b"- {\xff\xfe}\n" + b'- {"at": "2026-10-14T08:0')
    return root


def test_every_split_point_gives_what_one_pass_gives(township):
    ws = Workspace(township, clock=NOW)
    ctx = new_context(ws, MONTH, NOW())
    start, end = ctx.days[0].date, ctx.days[-1].date
    shown, data = f"ledgers/{MONTH}.yaml", (township / "ledgers" / f"{MONTH}.yaml").read_bytes()
    older, earlier, later = read_others(ws, MONTH, start, end)
    assert len(older) == 3 and earlier and later  # June to August, and both neighbouring months

    def stretches(sources):
        return [(src, list(src.lines)) for src in sources]

    def month(start=0, stop=None):
        src = month_source(shown, data, start, stop)
        return [(src, src.lines)]

    before, after = stretches(older + earlier), stretches(later)
    whole = read_lines(ctx, before + month() + after)
    assert whole.problems and whole.strangers and whole.voided and whole.village_day and whole.rejected
    assert {e.id[:7] for e in whole.leave_entries} >= {"2026-06", "2026-07", "2026-08"}
    starts = [0] + [i + 1 for i, byte in enumerate(data) if byte == 10]  # where each line begins
    lines = len(starts)
    for line in sorted({*range(1, 9), lines // 2, *range(3, lines, 97), *range(lines - 12, lines)}):
        cut = starts[line]
        parts = [read_lines(ctx, before), read_lines(ctx, month(0, cut)), read_lines(ctx, month(cut)),
                 read_lines(ctx, after)]
        merged = parts[0]
        for part in parts[1:]:
            merge(merged, part)
        # repr, not ==: dict order (the first evidence of a day, the order of findings) must agree too
        assert repr(merged) == repr(whole), line


def serial_then_fork(root, monkeypatch) -> str:
    """The one-process result (its repr); the fork is then forced for what the test does next."""
    monkeypatch.setenv("ZOUDU_JOBS", "1")
    serial = repr(audit_month(Workspace(root, clock=NOW), MONTH))
    monkeypatch.delenv("ZOUDU_JOBS")
    monkeypatch.setattr(split, "PARALLEL_MIN_BYTES", 1)
    return serial


def forked_and_serial(ws: Workspace, month: str, monkeypatch) -> tuple[str, str]:
    """The whole AuditResult (every day of every cadre, evidence in order), forked and not."""
    monkeypatch.setattr(split, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.delenv("ZOUDU_JOBS", raising=False)
    forked = audit_month(Workspace(ws.root, clock=ws.clock), month)
    monkeypatch.setenv("ZOUDU_JOBS", "1")
    serial = audit_month(Workspace(ws.root, clock=ws.clock), month)
    monkeypatch.delenv("ZOUDU_JOBS")
    assert serial.violations and serial.cadres[0].days
    return repr(forked), repr(serial)


@needs_fork
def test_the_forked_audit_equals_one_process(township, monkeypatch):
    ws = Workspace(township, clock=NOW)
    forked, serial = forked_and_serial(ws, MONTH, monkeypatch)
    assert forked == serial
    c09999 = [v for v in audit_month(ws, MONTH, "c09999").violations if v.date == dt.date(2026, 10, 16)]
    # evidence in line order: the sign-in and the visit near the start of the file come first
    (study,) = [v for v in c09999 if v.rule == "study.missed"]
    numbers = {}
    with open(township / "ledgers" / f"{MONTH}.yaml", "rb") as fh:
        for number, raw in enumerate(fh, 1):
            found = re.search(rb'"id": "(2026-10-9[12]0[0-2])"', raw)
            if found:
                numbers[found.group(1).decode()] = f"ledgers/{MONTH}.yaml:{number}"
    # the wrong-place sign-ins and the unwitnessed visits (start, then end), the first witnessed visit
    assert study.evidence[1:] == tuple(numbers[f"2026-10-{n}"] for n in (9100, 9102, 9200, 9202, 9101))


@needs_fork
def test_the_demo_months_forked_equal_one_process(monkeypatch, tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(REPO / "ledgers", root / "ledgers")
    shutil.copy(REPO / "rules.yaml", root / "rules.yaml")
    ws = Workspace(root, clock=Clock(dt.datetime(2026, 12, 1, 9, 0, tzinfo=TZ)))
    for month in ("2026-10", "2026-11"):
        forked, serial = forked_and_serial(ws, month, monkeypatch)
        assert forked == serial


@needs_fork
@pytest.mark.parametrize("how", ["kill -9", "exception"])
def test_a_child_that_dies_is_made_up_for_by_the_parent(township, monkeypatch, how):
    """The child is really killed (SIGKILL) or really fails; the parent reads its share itself."""
    ws = Workspace(township, clock=NOW)
    serial = serial_then_fork(township, monkeypatch)
    parent, ran_here = os.getpid(), []
    real = split._child_work

    def dying(*args):
        if os.getpid() != parent:
            if how == "kill -9":
                os.kill(os.getpid(), signal.SIGKILL)
            raise OSError("disk gone")
        ran_here.append(True)
        return real(*args)

    monkeypatch.setattr(split, "_child_work", dying)
    assert repr(audit_month(ws, MONTH)) == serial
    assert ran_here == [True]  # the parent did the child's share, once


def test_the_split_gives_the_child_less_of_the_month_the_more_it_scans():
    alone = split.head_share(40, 0, 0)
    assert 0.5 < alone < 0.6  # no other months: about half each (the child also pays for sending)
    assert split.head_share(40, 94, 0) > split.head_share(40, 20, 0) > alone
    assert split.head_share(40, 94, 500) == 0.95  # a long history: the parent reads nearly all
    assert split.head_share(0, 94, 0) == 1.0


def test_the_cut_falls_where_a_line_begins():
    data = b"# header\n- {a}\n- {bb}\n- {ccc}\n"
    assert [split.cut(data, share) for share in (0, 0.3, 0.5, 0.99, 1)] == [9, 15, 22, 30, 30]
    assert split.cut(b"- {a}\n- {torn", 0.9) == 13  # no line begins after: the parent reads all


def test_a_void_counts_only_in_the_file_of_the_entry_it_names(tmp_path):
    """``zoudu void`` writes a void beside its entry; one copied into another month's file is
    ignored by the audit and reported by verify (the same rule for both)."""
    ws = workspace_at(tmp_path / "w", "2026-12-01T09:00")
    (signin,) = Book(ws).checkin("c003", "2026-11-03T14:30").write()
    (other,) = Book(ws).checkin("c004", "2026-11-03T14:30").write()
    record.void(ws, other, "录错", None)  # a real void, beside its entry in November's file
    void_line = ws.ledger_path("2026-11").read_text(encoding="utf-8").splitlines()[-1]
    Book(ws).checkin("c004", "2026-10-30T08:00").write()
    with open(ws.ledger_path("2026-10"), "a", encoding="utf-8") as fh:  # c003's sign-in "voided" in October
        fh.write(void_line.replace(other, signin) + "\n")
    done = run_cli("verify", root=ws.root)
    said = done.stdout + done.stderr
    assert done.returncode == 1 and "2026-10.yaml" in said and "not earlier in this file" in said
    result = audit_month(Workspace(ws.root, clock=ws.clock), "2026-11")
    (c003,) = [c for c in result.cadres if c.cadre == "c003"]
    assert c003.voided == ()
    assert next(d for d in c003.days if d.date == dt.date(2026, 11, 3)).slots["afternoon"] == "office"


@needs_fork
def test_the_command_line_prints_the_same_audit_either_way(tmp_path):
    """A month above the threshold (22,000 entries, 6 MB), through the real command: byte for byte."""
    root = tmp_path / "county"
    generate(root, 10)
    assert (root / "ledgers" / f"{MONTH}.yaml").stat().st_size >= split.PARALLEL_MIN_BYTES
    forked = run_cli("audit", "--month", MONTH, "--format", "json", root=root)
    serial = run_cli("audit", "--month", MONTH, "--format", "json", root=root, env={"ZOUDU_JOBS": "1"})
    assert forked.returncode == serial.returncode == 1
    assert forked.stdout == serial.stdout and json.loads(forked.stdout)["entries"] > 20_000


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@needs_fork
def test_the_childs_answer_is_used_when_sigchld_is_ignored(township, monkeypatch):
    """With SIGCHLD ignored (inherited from a launcher), the kernel reaps the child itself and
    waitpid finds no child: the answer's length, not the exit status, says it is whole."""
    serial = serial_then_fork(township, monkeypatch)
    parent, ran_here = os.getpid(), []
    real = split._child_work

    def recorded(*args):
        if os.getpid() == parent:
            ran_here.append(True)
        return real(*args)

    monkeypatch.setattr(split, "_child_work", recorded)
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        assert repr(audit_month(Workspace(township, clock=NOW), MONTH)) == serial
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert ran_here == []  # the child's answer, not the parent redoing it


@needs_fork
def test_a_failing_parent_stops_its_child_and_frees_the_lock(township, monkeypatch, tmp_path):
    """The parent fails while the child still works (here: slowly) and the workspace lock is held:
    the child is killed and reaped at once, no file stays open, and the lock is free afterwards."""
    monkeypatch.setattr(split, "PARALLEL_MIN_BYTES", 1)
    parent = os.getpid()
    real = split._child_work

    def slow(*args):
        if os.getpid() != parent:
            time.sleep(30)
        return real(*args)

    def broken(*args):
        raise OSError("the disk went away")

    monkeypatch.setattr(split, "_child_work", slow)
    monkeypatch.setattr(split, "check_chain", broken)
    ws = Workspace(township, clock=NOW)
    files = open_files()
    started = time.monotonic()
    with pytest.raises(OSError, match="disk went away"):
        with ws.lock():
            audit_month(ws, MONTH)
    assert time.monotonic() - started < 10  # not waiting for the sleeping child
    assert open_files() == files and no_children_left()
    taken = subprocess.run([sys.executable, "-c", (
        "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR); fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)"
    ), str(township / "ledgers" / ".lock")], capture_output=True, text=True, timeout=30)
    assert taken.returncode == 0, taken.stderr


@needs_fork
def test_a_fork_that_fails_leaves_nothing_open(township, monkeypatch):
    serial = serial_then_fork(township, monkeypatch)

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(split.os, "fork", no_fork)
    files = open_files()
    for _attempt in range(3):
        assert repr(audit_month(Workspace(township, clock=NOW), MONTH)) == serial
    assert open_files() == files


@needs_fork
def test_ctrl_c_during_a_forked_audit_leaves_no_process_and_no_traceback(tmp_path):
    root = tmp_path / "county"
    generate(root, 10)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOUDU_")}
    for delay in (0.05, 0.15, 0.3):
        audit = subprocess.Popen([sys.executable, "-m", "zoudu", "--root", str(root), "audit", "--month", MONTH,
                                  "--format", "json"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 text=True, env=env, start_new_session=True)
        time.sleep(delay)
        os.killpg(audit.pid, signal.SIGINT)
        _out, err = audit.communicate(timeout=60)
        assert audit.returncode in (130, 1), err  # interrupted, or finished before the signal
        assert "Traceback" not in err
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(audit.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            pytest.fail("a process of the interrupted audit is still running")


def test_zoudu_jobs_0_or_1_keeps_one_process_and_other_values_do_not(monkeypatch):
    for value in ("0", "1", " 1 "):
        monkeypatch.setenv("ZOUDU_JOBS", value)
        assert split.jobs() == 1
    monkeypatch.setenv("ZOUDU_JOBS", "2")
    assert split.jobs() == (2 if hasattr(os, "fork") and len(os.sched_getaffinity(0)) >= 2 else 1)


def test_a_program_with_threads_is_not_forked(monkeypatch):
    import threading

    monkeypatch.delenv("ZOUDU_JOBS", raising=False)
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)
    helper.start()
    try:
        assert split.jobs() == 1
    finally:
        stop.set()
        helper.join()
