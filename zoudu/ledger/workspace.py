"""A workspace: a folder holding ``rules.yaml`` and ``ledgers/`` (docs/guide.md#the-workspace)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Callable

from zoudu import i18n
from zoudu.errors import ZouduError
from zoudu.i18n import _
from zoudu.model import Roster
from zoudu.ledger.roster import ROSTER  # the workspace's files: rules.yaml, ledgers/, the roster log
from zoudu.ledger.settings import Settings, load_settings

RULES = "rules.yaml"
LEDGERS = "ledgers"


def _regular(path: Path) -> bool:
    """Is there a file at ``path``? A folder, a pipe or a device in its place is a one-line error, not
    a missing file (nor something to read: a FIFO would hang every command)."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return False
    except OSError as e:
        raise ZouduError(_("cannot read file: {error}").format(error=e.strerror), str(path)) from None
    if not stat.S_ISREG(mode):
        raise ZouduError(_("is not a regular file (a folder, a pipe or a device); rules.yaml must be a plain "
                           "text file: restore it from a backup"), str(path))
    return True


def locate(root: str | None) -> Path:
    """``--root DIR``, else ``$ZOUDU_ROOT``, else the current folder."""
    return Path(root or os.environ.get("ZOUDU_ROOT") or ".")


def is_workspace(folder: Path) -> bool:
    """A folder holding ``rules.yaml`` and ``ledgers/``."""
    try:
        return (folder / RULES).is_file() and (folder / LEDGERS).is_dir()
    except OSError:
        return False


NEARBY_MAX = 3  # workspaces named when several are found just below


def nearby(root: Path) -> list[Path]:
    """Workspaces near a folder that is not one: one of its parents (the nearest: run inside
    ``ledgers/``, say), else those among its child folders."""
    here = root.resolve()
    for parent in here.parents:
        if is_workspace(parent):
            return [parent]
    found: list[Path] = []
    try:
        children = sorted(here.iterdir())
    except OSError:
        return []
    for child in children:
        try:
            if child.is_dir() and is_workspace(child):
                found.append(child)
        except OSError:
            continue
    return found


def _typed(path: Path) -> str:
    """A folder as it is typed in a shell: quoted only when it holds a space or a shell character
    (a Chinese name stays as it is)."""
    import re
    import shlex

    text = str(path)
    return text if re.fullmatch(r"[^\s'\"\\$`!*?;&|<>(){}\[\]#~]+", text) else shlex.quote(text)


def not_a_workspace(root: Path) -> ZouduError:
    """The error outside a workspace: how to name one (--root, ZOUDU_ROOT, cd), and the workspace
    found just above or below, if any; 'zoudu init' only when none is near."""
    found = nearby(root)
    if not found:
        return ZouduError(_("not a zoudu workspace (no rules.yaml here): name one with --root DIR or ZOUDU_ROOT=DIR, "
                            "or cd into it; to start a new one: zoudu init DIR"), str(root))
    if len(found) == 1:
        there = _typed(found[0])
        return ZouduError(_("not a zoudu workspace (no rules.yaml here); the workspace {there} is nearby: use "
                            "--root {there}, set ZOUDU_ROOT={there}, or cd {there}").format(there=there), str(root))
    named = ", ".join(str(p) for p in found[:NEARBY_MAX]) + (", …" if len(found) > NEARBY_MAX else "")
    return ZouduError(_("not a zoudu workspace (no rules.yaml here); workspaces nearby: {named}: name one with "
                        "--root DIR or ZOUDU_ROOT=DIR, or cd into it").format(named=named), str(root))


def _init(ws: "Workspace", root: Path, clock: Callable[[], dt.datetime] | None, pinned: dict,
          read: dict | None = None) -> None:
    """Set a new workspace's fields: the only place they are written."""
    object.__setattr__(ws, "root", root)
    # What "now" is when recording: the wall clock, or a fixed one for the demo generator.
    object.__setattr__(ws, "clock", clock)
    object.__setattr__(ws, "_pinned", pinned)  # settings or roster given to replace(): used as they are
    object.__setattr__(ws, "_read", {} if read is None else read)  # what was read of the folder's files


def _file_state(path: Path) -> tuple[int, int, int, int] | None:
    """What tells a file's content changed: an append grows it, a rewrite replaces it (None: no file)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns  # ctime: a rewrite that puts mtime back


class Workspace:
    """A workspace folder as a value: its root, its clock, and what its files say (``rules.yaml``
    read once; the roster log as it stands, read again only when its file changed). Nothing in it
    can be assigned: a workspace seen under other rules or another roster (a sealed month's) is
    another value, made by ``replace``."""

    __slots__ = ("root", "clock", "_pinned", "_read")

    def __init__(self, root: Path, clock: Callable[[], dt.datetime] | None = None):
        _init(self, root, clock, {})
        if root.exists() and not root.is_dir():
            raise ZouduError(_("is a file, not a workspace folder"), str(root))
        if not root.is_dir():
            raise ZouduError(_("workspace folder does not exist"), str(root))
        has_rules, has_ledgers = _regular(root / RULES), (root / LEDGERS).is_dir()
        if not has_rules and not has_ledgers:
            raise not_a_workspace(root)
        if not has_rules:
            # Half made (an interrupted init, a copied folder): 'zoudu init' would refuse, so say what to do.
            raise ZouduError(_("the workspace is incomplete: ledgers/ is here but rules.yaml is missing; restore "
                               "rules.yaml from a backup, or copy one from a workspace made by 'zoudu init' "
                               "elsewhere"), str(root / RULES))
        if not has_ledgers:
            raise ZouduError(_("the workspace is incomplete: rules.yaml is here but the ledgers/ folder is missing; "
                               "restore it from a backup, or create an empty one (mkdir ledgers) for a new "
                               "township"), str(root / LEDGERS))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Workspace cannot be changed (not even '{name}'): make another with replace()")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Workspace cannot be changed (not even '{name}'): make another with replace()")

    def replace(self, *, settings: Settings | None = None, roster: Roster | None = None) -> "Workspace":
        """The same folder and clock seen with ``settings`` and ``roster`` in place of what its files
        say (each one not given: as this workspace sees it). The folder is not checked again."""
        pinned = dict(self._pinned)
        if settings is not None:
            pinned["settings"] = settings
        if roster is not None:
            pinned["roster"] = roster
        view = object.__new__(Workspace)
        _init(view, self.root, self.clock, pinned, self._read)  # the same folder: what was read of it, shared
        return view

    @property
    def settings(self) -> Settings:
        found = self._pinned.get("settings")
        if found is None:
            found = self._read.get("settings")
        if found is None:
            found = self._read["settings"] = load_settings(self.root / RULES, RULES)
            i18n.set_workspace_default(found.locale)
        return found

    @property
    def roster(self) -> Roster:
        """The roster log as its file stands (a roster given to ``replace``: that one)."""
        pinned = self._pinned.get("roster")
        if pinned is not None:
            return pinned
        state = _file_state(self.root / ROSTER)
        kept = self._read.get("roster")
        if kept is None or kept[0] != state:
            kept = self._read["roster"] = (state, self.fresh_roster())
        return kept[1]

    def fresh_roster(self) -> Roster:
        """The roster as on disk now, read again whatever was read before (writers call this under the lock)."""
        from zoudu.ledger.roster import load_roster

        return load_roster(self.root / ROSTER, ROSTER)

    @property
    def ledgers(self) -> Path:
        return self.root / LEDGERS

    def ledger_path(self, month: str) -> Path:
        """``ledgers/YYYY-MM.yaml``; the month must already be ASCII ``YYYY-MM`` (a file name is never built
        from unnormalised text: "２０２６-１１" would be a phantom month no audit reads)."""
        from zoudu.ledger.store import LEDGER_NAME

        name = f"{month}.yaml"
        if not isinstance(month, str) or not LEDGER_NAME.fullmatch(name):
            raise ZouduError(_("not a month (expected YYYY-MM): '{month}'").format(month=month))
        path = self.ledgers / name
        if path.is_symlink():
            raise ZouduError(_("a ledger must not be a symbolic link; put the file itself in ledgers/"),
                             self.shown(path))
        if path.exists() and not path.is_file():
            raise ZouduError(_("a ledger must be a file"), self.shown(path))
        return path

    def shown(self, path: Path) -> str:
        """A path as evidence cites it: relative to the workspace, with '/'."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def months(self) -> list[str]:
        """Months that have a ledger file, oldest first."""
        from zoudu.ledger.store import LEDGER_NAME

        found = []
        for p in self.ledgers.iterdir():
            m = LEDGER_NAME.fullmatch(p.name)
            if m:
                if p.is_symlink():
                    raise ZouduError(_("a ledger must not be a symbolic link; put the file itself in ledgers/"),
                                     self.shown(p))
                if not p.is_file():
                    raise ZouduError(_("a ledger must be a file"), self.shown(p))
                found.append(m.group(1))
        return sorted(found)

    def misnamed(self) -> list[Path]:
        """Files in ledgers/ that look like a month's ledger but are not named ASCII ``YYYY-MM.yaml``."""
        from zoudu.ledger.store import LEDGER_NAME

        import re
        import unicodedata

        looks = re.compile(r"\d{4}\W?\d{1,2}\.yaml")  # any script's digits, after NFKC
        return sorted(p for p in self.ledgers.iterdir()
                      if looks.fullmatch(unicodedata.normalize("NFKC", p.name)) and not LEDGER_NAME.fullmatch(p.name))

    def now(self) -> dt.datetime:
        """The moment a recording command records at: the wall clock (a fixed one only for the demo generator)."""
        moment = self.clock() if self.clock else dt.datetime.now(self.settings.tz)
        return moment.astimezone(self.settings.tz).replace(microsecond=0)

    def lock(self):
        from zoudu.ledger.append import workspace_lock

        return workspace_lock(self.ledgers)
