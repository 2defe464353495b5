"""The offline installer folder (tools/bundle.py) resolves zoudu for its platform and every CPython
3.11-3.13 with no index at all, Windows-only requirements included (README: "An office with no network").

Building a bundle needs a package index (its wheels are kept in .cache/wheels/, so later runs are quick);
resolving it does not: pip is run with --no-index and none of this machine's pip configuration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.workspace import REPO

sys.path.insert(0, str(REPO / "tools"))
import bundle  # noqa: E402

PLATFORMS = {"win_amd64": "install.bat", "manylinux": "install.sh"}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for platform in PLATFORMS:
        folder = tmp_path_factory.mktemp(platform)
        r = subprocess.run([sys.executable, str(REPO / "tools" / "bundle.py"), "--platform", platform, "-o", str(folder)],
                           capture_output=True, text=True, encoding="utf-8")
        assert r.returncode == 0, r.stderr
        out[platform] = folder
    return out


def isolated_env() -> dict[str, str]:
    """No pip configuration of this machine (its find-links would hide a wheel missing from the folder)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    return dict(env, PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")


def resolve(folder: Path, platform: str, python: str, target: Path, *names: str) -> dict:
    """What `pip install zoudu` from the folder alone would install on that platform and Python."""
    cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--find-links", str(folder),
           "--only-binary=:all:", "--implementation", "cp", "--python-version", python, "--target", str(target),
           "--report", "-", "--quiet"]
    for tag in bundle.PLATFORM_TAGS[platform]:
        cmd += ["--platform", tag]
    r = subprocess.run(cmd + ["zoudu", *names], capture_output=True, text=True, encoding="utf-8", env=isolated_env())
    assert r.returncode == 0, f"{platform} {python}: {r.stderr}"
    return json.loads(r.stdout)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("python", bundle.PYTHONS)
def test_each_bundle_resolves_offline_for_its_platform(bundles, platform, python, tmp_path):
    folder = bundles[platform]
    # Requirements with markers true on the target only, which pip on this machine would skip.
    own_markers = bundle.missing(folder, platform, python)
    assert own_markers == []
    report = resolve(folder, platform, python, tmp_path / "t", *target_only(folder, platform, python))
    installed = {item["metadata"]["name"].lower(): item["download_info"]["url"] for item in report["install"]}
    assert "zoudu" in installed and "cryptography" in installed and "msgspec" in installed
    assert all(url.startswith(folder.as_uri()) for url in installed.values())
    tag = "win_amd64" if platform == "win_amd64" else "manylinux"
    binaries = [url for url in installed.values() if not url.endswith("-any.whl")]
    assert binaries and all(tag in url.rsplit("/", 1)[1] for url in binaries)
    if platform == "win_amd64":
        assert {"tzdata", "filelock", "colorama"} <= set(installed)


def target_only(folder: Path, platform: str, python: str) -> list[str]:
    """Names of requirements, in any wheel of the folder, whose marker holds on the target but not here."""
    names = set()
    here = bundle.environment("manylinux", python)
    there = bundle.environment(platform, python)
    for wheel in folder.glob("*.whl"):
        for req in bundle.requirements(wheel):
            if req.marker is not None and req.marker.evaluate(there) and not req.marker.evaluate(here):
                names.add(req.name)
    return sorted(names)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_bundle_carries_an_install_script_that_never_reaches_the_network(bundles, platform):
    script = (bundles[platform] / PLATFORMS[platform]).read_text(encoding="utf-8")
    assert "--no-index" in script and "--find-links" in script and "zoudu" in script
    if platform == "manylinux":
        assert os.access(bundles[platform] / "install.sh", os.X_OK)
    else:
        assert "\r\n" in (bundles[platform] / "install.bat").read_bytes().decode("ascii")  # cmd reads it as GBK


def test_the_linux_install_script_installs_with_no_network(bundles, tmp_path):
    """install.sh, run for real into a fresh virtual environment of this Python, with every index cut off."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = dict(isolated_env(), PYTHON=str(python), PIP_INDEX_URL="http://127.0.0.1:9/unreachable")
    r = subprocess.run(["sh", str(bundles["manylinux"] / "install.sh")], capture_output=True, text=True,
                       encoding="utf-8", env=env)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(venv / "bin" / "zoudu"), "--lang", "en", "--help"], capture_output=True, text=True,
                       encoding="utf-8")
    assert r.returncode == 0 and "audit" in r.stdout
