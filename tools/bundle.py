"""An offline installer folder: zoudu's wheel, every dependency's wheel, and an install script.

    python tools/bundle.py --platform win_amd64 -o dist/zoudu-win
    python tools/bundle.py --platform manylinux -o dist/zoudu-linux

The folder holds wheels for CPython 3.11, 3.12 and 3.13 on that platform, and
`install.bat` (Windows) or `install.sh` (Linux) that installs with no network
(`pip install --no-index --find-links`). Building it needs a package index
(pip's own configuration is used, so a mirror works); installing it does not.

pip judges environment markers (`sys_platform == "win32"`) by the machine it
runs on, not by `--platform`, so a Windows bundle built on Linux would lack
tzdata, filelock and colorama. Every requirement of every wheel in the folder is
therefore evaluated here for the target platform, and any missing one is
downloaded too, until nothing is missing.

pip's constraints apply (PIP_CONSTRAINT=FILE pins a dependency for one bundle).
Downloaded wheels are kept in .cache/wheels/<platform>/ (or --cache): a second
build first resolves from there with no network, and goes to the index only if
something is missing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from email.parser import Parser
from pathlib import Path

try:
    from packaging.markers import Marker  # noqa: F401 - checked to exist
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name, parse_wheel_filename
except ImportError:  # pip always carries a copy
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ("3.11", "3.12", "3.13")
SETUPTOOLS = "setuptools>=68"  # pyproject.toml's build-system

# The tags pip is told to accept for each target, the most preferred first. manylinux: glibc 2.17
# (CentOS 7) up to 2.28 (Debian 10, UOS, Kylin V10, RHEL 8), the oldest preferred so that the folder
# installs on as many machines as it can; pip does not widen `manylinux_2_X` tags by itself.
PLATFORM_TAGS = {
    "win_amd64": ["win_amd64"],
    "manylinux": ["manylinux2014_x86_64"] + [f"manylinux_2_{minor}_x86_64" for minor in range(17, 29)],
}

# Environment markers as they hold on each target (PEP 508), with python_version filled per Python.
MARKERS = {
    "win_amd64": {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
                  "platform_machine": "AMD64"},
    "manylinux": {"os_name": "posix", "sys_platform": "linux", "platform_system": "Linux",
                  "platform_machine": "x86_64"},
}

# ASCII only: cmd.exe reads a batch file in the console's code page (GBK in China).
INSTALL_BAT = r"""@echo off
rem Installs zoudu from this folder, with no network.
rem Needs Python 3.11, 3.12 or 3.13 for Windows (64-bit) with pip: the py launcher's,
rem else the first python on PATH, else the one named by the PYTHON variable.
setlocal
set "HERE=%~dp0"
if defined PYTHON goto install
set "PYTHON=python"
where py >nul 2>nul
if errorlevel 1 goto install
set "PYTHON=py -3"
:install
%PYTHON% -m pip install --no-index --find-links "%HERE%." zoudu %*
if %ERRORLEVEL% NEQ 0 goto failed
echo zoudu installed
exit /b 0
:failed
echo zoudu: install failed
exit /b 1
"""

INSTALL_SH = """#!/bin/sh
# Installs zoudu from this folder, with no network.
# Needs Python 3.11, 3.12 or 3.13 (x86_64 Linux) with pip; set PYTHON to choose one.
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python3}
"$PYTHON" -m pip install --no-index --find-links "$HERE" zoudu "$@"
echo "zoudu installed / 安装完成"
"""


def environment(platform: str, python: str) -> dict[str, str]:
    """The PEP 508 marker environment of CPython `python` (e.g. "3.12") on `platform`."""
    env = dict(MARKERS[platform])
    env.update(python_version=python, python_full_version=python + ".0", implementation_name="cpython",
               platform_python_implementation="CPython", implementation_version=python + ".0", extra="")
    return env


def requirements(wheel: Path, extras: frozenset[str] = frozenset()) -> list[Requirement]:
    """The Requires-Dist of a wheel, as written in its METADATA."""
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
        meta = Parser().parsestr(zf.read(name).decode("utf-8"), headersonly=True)
    return [Requirement(text) for text in meta.get_all("Requires-Dist") or []]


def missing(folder: Path, platform: str, python: str, top: str = "zoudu") -> list[str]:
    """Requirements (as pip arguments) that hold on the target but no wheel in `folder` satisfies,
    walking from `top` through every wheel the target's Python would install."""
    env = environment(platform, python)
    tags = set(PLATFORM_TAGS[platform])
    abi = "cp" + python.replace(".", "")
    wheels: dict[str, list[tuple[object, Path]]] = {}
    for path in folder.glob("*.whl"):
        name, version, _build, wheel_tags = parse_wheel_filename(path.name)
        if any(t.platform in tags | {"any"} and (t.interpreter in (abi, "py3") or
               (t.abi == "abi3" and t.interpreter.startswith("cp3") and int(t.interpreter[3:]) <= int(abi[3:])))
               for t in wheel_tags):
            wheels.setdefault(canonicalize_name(name), []).append((version, path))
    todo, seen, absent = [(canonicalize_name(top), frozenset())], set(), []
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        found = wheels.get(name)
        if not found:
            continue  # reported by the caller that asked for it
        _version, path = max(found, key=lambda vp: vp[0])
        for req in requirements(path):
            marker_ok = lambda extra: req.marker is None or req.marker.evaluate(dict(env, extra=extra))  # noqa: E731
            if not (marker_ok("") or any(marker_ok(e) for e in extras)):
                continue
            dep = canonicalize_name(req.name)
            if not any(req.specifier.contains(v, prereleases=True) for v, _p in wheels.get(dep, [])):
                absent.append(str(Requirement(f"{req.name}{req.specifier}")))
            else:
                todo.append((dep, frozenset(req.extras)))
    return sorted(set(absent))


def pip(*args: str, quiet: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "pip", *args] + (["-q"] if quiet else [])
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", errors="replace",
                          env=None if env is None else dict(os.environ, **env))


def download(out: Path, cache: Path, platform: str, python: str, reqs: list[str]) -> None:
    """Wheels for `reqs` into `out`: from the cache alone if it has them all, else from the index."""
    target = ["--only-binary=:all:", "--implementation", "cp", "--python-version", python]
    for tag in PLATFORM_TAGS[platform]:
        target += ["--platform", tag]
    common = ["download", "--dest", str(out), "--find-links", str(out), *target]
    offline = pip(*common, "--no-index", "--find-links", str(cache), *reqs)
    if offline.returncode != 0:
        online = pip(*common, "--find-links", str(cache), *reqs)
        if online.returncode != 0:
            sys.exit(f"bundle: pip download failed for Python {python} on {platform}:\n{online.stderr.strip()}")
    cache.mkdir(parents=True, exist_ok=True)
    for wheel in out.glob("*.whl"):
        if not (cache / wheel.name).exists() and not wheel.name.startswith("zoudu-"):
            shutil.copy2(wheel, cache / wheel.name)


def build_wheel(out: Path, cache: Path) -> Path:
    """zoudu's own wheel, built with a setuptools wheel kept in the cache (an index is asked only once)."""
    tools = cache.parent / "build"
    with tempfile.TemporaryDirectory() as tmp:
        r = None
        if any(tools.glob("setuptools-*.whl")) or pip("download", "--only-binary=:all:", "--dest", str(tools),
                                                     SETUPTOOLS).returncode == 0:
            r = pip("wheel", "--no-deps", "--wheel-dir", tmp, str(ROOT),
                    env={"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(tools)})
        if r is None or r.returncode != 0:
            r = pip("wheel", "--no-deps", "--wheel-dir", tmp, str(ROOT))
        if r.returncode != 0:
            sys.exit(f"bundle: could not build zoudu's wheel:\n{r.stderr.strip()}")
        (built,) = Path(tmp).glob("zoudu-*.whl")
        for old in out.glob("zoudu-*.whl"):
            old.unlink()
        return Path(shutil.copy2(built, out / built.name))


def bundle(platform: str, out: Path, cache: Path, pythons: tuple[str, ...] = PYTHONS) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    wheel = build_wheel(out, cache)
    for python in pythons:
        reqs = [str(wheel)]
        for _round in range(10):
            download(out, cache, platform, python, reqs)
            absent = missing(out, platform, python)
            if not absent:
                break
            reqs = [str(wheel), *absent]  # the target's own markers, which pip on this machine does not apply
        else:
            sys.exit(f"bundle: still missing for Python {python} on {platform}: {', '.join(absent)}")
    script = out / ("install.bat" if platform == "win_amd64" else "install.sh")
    if platform == "win_amd64":
        script.write_bytes(INSTALL_BAT.replace("\n", "\r\n").encode("utf-8"))
    else:
        script.write_text(INSTALL_SH, encoding="utf-8", newline="\n")
        script.chmod(0o755)
    return sorted(out.glob("*.whl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--platform", required=True, choices=sorted(PLATFORM_TAGS))
    parser.add_argument("-o", "--output", required=True, type=Path, help="the folder to fill")
    parser.add_argument("--cache", type=Path, help="downloaded wheels kept here (default: .cache/wheels/PLATFORM)")
    parser.add_argument("--python", action="append", choices=PYTHONS,
                        help="only this CPython (repeatable; default: all of them)")
    args = parser.parse_args(argv)
    cache = args.cache or ROOT / ".cache" / "wheels" / args.platform
    pythons = tuple(args.python or PYTHONS)
    wheels = bundle(args.platform, args.output, cache, pythons)
    print(f"{args.output}: {len(wheels)} wheels for CPython {', '.join(pythons)} on {args.platform}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
