"""``zoudu import`` reads only so much (docs/trust-model.md): special files (a FIFO, a device)
are refused at once; past ``import_max_rows`` rows (rules.yaml, default 200,000) or 50 MB of
content — an .xlsx's members counted as they are inflated, whatever sizes the zip declares — it
stops with exit 2 before memory grows with the file. Real files: a FIFO, /dev/zero, zip bombs and
big CSVs made here."""

from __future__ import annotations

import datetime as dt
import os
import resource
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.support.workspace import run_cli as zoudu
from tests.support.punches import save_xlsx, days_ago, ledger_bytes, township

MEMORY = 1 << 30  # the address space a bounded import runs in (python, the CLI and calamine fit well inside)
ROW = b"<row><c><v>1</v></c></row>"


def run_limited(root: Path, *args: str) -> subprocess.CompletedProcess:
    """The CLI in its own process, its address space capped: a reader whose memory grows with the
    file fails here instead of answering; ``timeout`` only guards against a hang."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOUDU_")}
    env["ZOUDU_LANG"] = "en"

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    return subprocess.run([sys.executable, "-m", "zoudu", "--root", str(root), *args], capture_output=True,
                          text=True, encoding="utf-8", env=env, preexec_fn=cap, timeout=300)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return township(tmp_path / "w")


def refused(r, said: str) -> None:
    assert r.returncode == 2 and r.stdout == "", (r.returncode, r.stderr)
    assert said in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_a_fifo_is_refused_at_once(tmp_path, root):
    fifo = tmp_path / "attlog.dat"
    os.mkfifo(fifo)  # nobody ever writes to it: opening it to read would wait for ever
    before = ledger_bytes(root)
    refused(run_limited(root, "import", str(fifo)), "not a regular file")
    assert ledger_bytes(root) == before


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_at_once(tmp_path, root, device):
    link = tmp_path / "export.csv"
    link.symlink_to(device)
    refused(run_limited(root, "import", device), "not a regular file")
    refused(run_limited(root, "import", str(link)), "not a regular file")


def test_a_file_larger_than_50_mb_is_refused_before_it_is_read(tmp_path, root):
    path = tmp_path / "attlog.dat"
    with open(path, "wb") as fh:
        fh.truncate(60 * 2**20)  # sparse: 60 MB the reader would have to hold
    refused(run_limited(root, "import", str(path)), "larger than 50 MB")


def _attlog_lines(n: int) -> bytes:
    at = dt.datetime.combine(days_ago(1), dt.time(8, 1))
    line = f"   3\t{at:%Y-%m-%d %H:%M:%S}\t1\t0\t1\t0\n".encode()
    return line * n


def test_past_the_default_200000_rows_the_import_stops(tmp_path, root):
    path = tmp_path / "attlog.dat"
    path.write_bytes(_attlog_lines(200_001))  # 9 MB: under the size limit, over the rows
    before = ledger_bytes(root)
    refused(zoudu("import", str(path), root=root), "more than 200000 rows")
    assert ledger_bytes(root) == before
    big_csv = tmp_path / "门禁.csv"
    big_csv.write_text("工号,打卡时间\n" + f"3,{days_ago(1)} 08:01:00\n" * 200_001, encoding="utf-8")
    refused(zoudu("import", str(big_csv), "--format", "csv", "--map", "badge=工号,time=打卡时间", root=root),
            "more than 200000 rows")
    assert ledger_bytes(root) == before


def test_import_max_rows_in_rules_yaml(tmp_path, root):
    rules = root / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8") + "import_max_rows: 1000\n", encoding="utf-8")
    path = tmp_path / "attlog.dat"
    path.write_bytes(_attlog_lines(1001))
    refused(zoudu("import", str(path), root=root), "more than 1000 rows")
    path.write_bytes(_attlog_lines(1000))
    assert zoudu("import", str(path), root=root).returncode == 0  # 1000 rows: one punch, read


def _bomb(path: Path, rows: int, level: int = 1) -> Path:
    """An .xlsx whose one sheet holds ``rows`` rows of one cell: a few MB that inflate to 26 bytes a row."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                     b'spreadsheetml/2006/main"><sheetData>')
            block = ROW * 100_000
            for _ in range(rows // 100_000):
                fh.write(block)
            fh.write(b"</sheetData></worksheet>")
    return path


def test_a_zip_bomb_of_12_million_rows_is_refused_without_unpacking_it(tmp_path, root):
    path = _bomb(tmp_path / "导出.xlsx", 12_000_000)
    assert path.stat().st_size < 4 * 2**20
    refused(run_limited(root, "import", str(path)), "unpacks to more than 50 MB")


def _lie_about_sizes(path: Path) -> None:
    """Every size the zip declares for the shared strings made small: only counting while inflating finds it."""
    data = bytearray(path.read_bytes())
    for signature, size_at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = data.find(signature)
        while at >= 0:
            name_length = struct.unpack_from("<H", data, at + (28 if signature == b"PK\x01\x02" else 26))[0]
            name = bytes(data[at + (46 if signature == b"PK\x01\x02" else 30):][:name_length])
            if name == b"xl/sharedStrings.xml":
                struct.pack_into("<I", data, at + size_at, 1000)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def test_a_zip_bomb_that_lies_about_its_sizes_is_refused_while_inflating(tmp_path, root):
    path = tmp_path / "导出.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:  # no zip64: plain size fields
        z.writestr("xl/worksheets/sheet1.xml", b"<worksheet><sheetData>" + ROW + b"</sheetData></worksheet>")
        z.writestr("xl/sharedStrings.xml", b"<sst>" + b"<si><t>x</t></si>" * 4_000_000 + b"</sst>")  # 64 MB
    _lie_about_sizes(path)
    assert sum(i.file_size for i in zipfile.ZipFile(path).infolist()) < 2000
    refused(run_limited(root, "import", str(path)), "unpacks to more than 50 MB")


def test_a_workbook_naming_a_far_cell_is_refused_before_it_is_laid_out(tmp_path, root):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["部门", "姓名", "考勤号码", "日期时间", "机器号"])
    sheet.append(["党政办", "李四", "3", f"{days_ago(1)} 08:01:00", "1"])
    sheet["XFD1048576"] = "x"  # two cells; a reader laying the sheet out would allocate 17 billion
    path = tmp_path / "导出.xlsx"
    save_xlsx(book, path)
    r = run_limited(root, "import", str(path))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "more than 200000 rows" in r.stderr


def test_a_prefixed_sheet_naming_a_far_cell_is_refused_too(tmp_path, root):
    """Some writers prefix the sheet's tags (``<x:row>``, ``<x:c r="XFD1048576">``): counted all the same."""
    path = tmp_path / "导出.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
                   b'spreadsheetml/2006/main"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
                   b'<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    r = run_limited(root, "import", str(path))
    assert r.returncode == 2 and "more than 200000 rows" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_a_csv_field_past_the_csv_modules_limit_is_one_line(tmp_path, root):
    path = tmp_path / "门禁.csv"
    path.write_text("工号,打卡时间\n3,\"" + "x" * 200_000 + "\"\n", encoding="utf-8")
    refused(zoudu("import", str(path), "--format", "csv", "--map", "badge=工号,time=打卡时间", root=root),
            "cannot read the file")
