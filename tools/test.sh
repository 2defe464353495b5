#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine, then runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# Headless Chromium prints the notice sheet to PDF in the browser tests; the PDF needs a Chinese font;
# poppler-utils (pdftohtml) reads every run of text's box back from the PDF; tmux is the real
# terminal in which the progress bars are seen.
if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftohtml >/dev/null 2>&1 || ! command -v tmux >/dev/null 2>&1 \
   || ! fc-list :lang=zh family 2>/dev/null | grep -c . >/dev/null; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei poppler-utils tmux >/dev/null
  fi
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[test]"
# Every text file and pipe names its encoding: a Windows office's default is GBK, not UTF-8.
# The tests run in one worker per core (pytest-xdist, at most 4), each with the same warning an error
# (tests/conftest.py passes the flag on to the workers).
exec .venv/bin/python -X warn_default_encoding -W error::EncodingWarning -m pytest -q -n auto --maxprocesses 4 \
  -W error::EncodingWarning "$@"
