"""Placeholders never reach the board: ``publish`` refuses while the township, the county or the supervision
phone is still what ``zoudu init`` wrote (exit 2, naming the key in rules.yaml); ``audit`` warns."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import refused, snapshot
from tests.support.workspace import run_cli, set_phone
from tests.test_publish import copy_demo

MONTH = "2026-10"


def township(cli, root, *init_args):
    assert cli("init", str(root), *init_args).returncode == 0
    assert cli("roster", "add", "c001", "--name", "甲", "--team", "--since", "2026-01-01", root=root).returncode == 0
    assert cli("checkin", "c001", "--at", f"{MONTH}-12T08:00", root=root).returncode == 0
    return root


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    """init as a script runs it: no names given, placeholders everywhere."""
    return township(run_cli, tmp_path_factory.mktemp("blank") / "w")


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    """Names given to init, the phone not yet set."""
    return township(run_cli, tmp_path_factory.mktemp("named") / "w", "--township", "东岭乡", "--county", "宜黄县")


@pytest.mark.parametrize("fmt", ["terminal", "md", "csv", "html"])
def test_publish_refuses_init_s_names_and_phone(cli, blank, fmt):
    before = snapshot(blank)
    r = cli("publish", "--month", MONTH, "--format", fmt, root=blank)
    assert r.returncode == 2 and not r.stdout, (r.stdout, r.stderr)
    line, = r.stderr.strip().splitlines()
    for key in ("township", "county", "supervision_phone", "rules.yaml"):
        assert key in line, line
    assert snapshot(blank) == before


def test_publish_names_the_phone_alone_when_the_names_are_real(cli, named, tmp_path):
    refused(cli, named, "publish", "--month", MONTH, "--format", "md", message="supervision_phone")
    r = cli("publish", "--month", MONTH, "-o", str(tmp_path / "公示.html"), root=named, lang="zh")
    assert r.returncode == 2 and "supervision_phone" in r.stderr and "township" not in r.stderr
    assert "rules.yaml" in r.stderr and "占位" in r.stderr, r.stderr
    assert not (tmp_path / "公示.html").exists()


def test_audit_warns_in_the_table_and_in_json(cli, named, blank):
    r = cli("audit", "--month", MONTH, root=named)
    assert r.returncode in (0, 1), r.stderr
    assert "supervision_phone" in r.stderr and "placeholder" in r.stderr
    r = cli("audit", "--month", MONTH, "--format", "json", root=named)
    data = json.loads(r.stdout)
    assert data["placeholders"] == {"supervision_phone": "0794-0000000"}
    assert any("supervision_phone" in notice for notice in data["notices"])
    data = json.loads(cli("audit", "--month", MONTH, "--format", "json", root=blank).stdout)
    assert set(data["placeholders"]) == {"township", "county", "supervision_phone"}
    r = cli("audit", "--month", MONTH, root=blank, lang="zh")
    assert "supervision_phone" in r.stderr and "占位" in r.stderr


def test_once_set_it_publishes_and_audit_says_nothing(cli, tmp_path):
    root = township(cli, tmp_path / "w", "--township", "东岭乡", "--county", "宜黄县")
    set_phone(root, "0794-7654321")
    r = cli("publish", "--month", MONTH, "--format", "md", root=root)
    assert r.returncode == 0, r.stderr
    assert "0794-7654321" in r.stdout and "placeholder" not in r.stderr
    data = json.loads(cli("audit", "--month", MONTH, "--format", "json", root=root).stdout)
    assert "placeholders" not in data and not any("placeholder" in n for n in data["notices"])


def test_the_demo_township_keeps_publishing(cli, tmp_path):
    demo = copy_demo(tmp_path / "demo")
    r = cli("publish", "--month", MONTH, "--format", "md", root=demo, lang="zh")
    assert r.returncode == 0, r.stderr
    assert "石庄乡" in r.stdout and "0794-6321358" in r.stdout
