"""Reading a 5,000-row attendance export (.xlsx): python-calamine (what zoudu import uses) against openpyxl.

    .venv/bin/python bench/bench_xlsx.py

Writes the workbook with openpyxl (a test dependency), then reads every cell of it
with each library, best of 5 runs. Prints milliseconds per read.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import tempfile
import time
from pathlib import Path

ROWS = 5000


def workbook(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["部门", "姓名", "考勤号码", "日期时间", "机器号"])
    start = dt.datetime(2026, 11, 2, 7, 30)
    for i in range(ROWS):
        sheet.append(["党政办", f"干部{i % 60:02d}", str(i % 60 + 1), start + dt.timedelta(minutes=7 * i), 1])
    book.save(path)


def best(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1000


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.xlsx"
        workbook(path)
        data = path.read_bytes()

        def calamine():
            from python_calamine import CalamineWorkbook

            rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
            assert len(rows) == ROWS + 1

        def openpyxl_read():
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            rows = list(book.active.iter_rows(values_only=True))
            assert len(rows) == ROWS + 1

        def zoudu_import():
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            from zoudu.ledger.importers import read_punches

            assert len(read_punches(data, "export.xlsx", "zk-export", None, ROWS + 1).punches) == ROWS

        print(f"{ROWS} rows, {len(data) // 1024} KB")
        print(f"python-calamine: {best(calamine):7.1f} ms")
        print(f"openpyxl (read-only): {best(openpyxl_read):7.1f} ms")
        print(f"zoudu read_punches (calamine + parsing): {best(zoudu_import):7.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
