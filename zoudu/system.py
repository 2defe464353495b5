"""Everything that differs between operating systems: locking, durable writes, opening files, the console.

Every other module calls these instead of the operating system, so that Windows (where
township offices run) is one branch here and nowhere else:

- The workspace lock is a separate lock file (``ledgers/.lock``), never a ledger. POSIX
  takes ``flock`` on it (the kernel drops it when the holder dies, even by SIGKILL);
  Windows takes it with the ``filelock`` package (``LockFileEx``, dropped when the holder
  dies too). ``filelock`` costs about 20 ms of import, so POSIX never loads it.
- Appends: POSIX opens with ``O_APPEND`` (each write lands at the end, atomically). On
  Windows ``O_APPEND`` is a seek then a write, so the portable branch seeks to the end
  itself and writes while the workspace lock is held: no other writer can come between.
- A new file's folder is fsynced on POSIX so that its name survives a crash; Windows
  cannot open a folder as a file (and NTFS journals names itself), so it is skipped there.
- Files are opened in binary mode (``O_BINARY``: Windows would otherwise turn every
  ``\\n`` into ``\\r\\n``), without blocking where a FIFO could stand in a file's place
  (POSIX); Windows has no such files, and ``os.set_blocking`` works only on pipes there.
- The console: output that the console's code page cannot show (a GBK console and a
  name written with a character GBK lacks) is replaced, never a crash.

``ZOUDU_PORTABLE_LOCK=1`` forces the portable branch (lock, append, no folder fsync) on
POSIX too, so that the tests run it on Linux; it is never needed in production.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

WINDOWS = os.name == "nt"
PORTABLE_ENV = "ZOUDU_PORTABLE_LOCK"


def portable() -> bool:
    """The Windows branch for locking and appending: on Windows, or forced by ``ZOUDU_PORTABLE_LOCK=1``."""
    return WINDOWS or os.environ.get(PORTABLE_ENV, "") not in ("", "0")


# --- the console -------------------------------------------------------------------------------

def console_never_fails() -> None:
    """stdout and stderr replace what their encoding cannot show instead of raising.

    A Chinese Windows console (code page 936, GBK) cannot print every character a name may
    hold (emoji, rare characters outside GBK); a clerk must still see the rest of the output.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "strict") == "strict":
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):  # a closed or detached stream: nothing to print to anyway
                pass


def write_errors_not_signals() -> None:
    """Past a file-size limit (``ulimit -f``) POSIX kills the process mid-append (SIGXFSZ);
    ignored, the write fails with EFBIG instead and the append undoes itself. Windows has no
    such signal."""
    import signal

    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


# --- the user's folders ------------------------------------------------------------------------

_FOLDERS = {"config": ("XDG_CONFIG_HOME", "APPDATA", ".config"), "cache": ("XDG_CACHE_HOME", "LOCALAPPDATA", ".cache")}


def user_folder(kind: str) -> Path:
    """The user's ``"config"`` or ``"cache"`` folder: ``$XDG_…_HOME`` when set, else Windows'
    ``%APPDATA%`` / ``%LOCALAPPDATA%`` (inside the user's profile), else ``~/.config`` / ``~/.cache``."""
    xdg, windows, dot = _FOLDERS[kind]
    base = os.environ.get(xdg) or (os.environ.get(windows) if WINDOWS else None)
    return Path(base) if base else Path(os.path.expanduser("~")) / dot


# --- opening files -----------------------------------------------------------------------------

def _binary() -> int:
    return getattr(os, "O_BINARY", 0)


# Where a FIFO can stand in a file's place, files are first opened without blocking (none on Windows).
NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def open_regular(path: Path, write: bool = False, follow: bool = True) -> int:
    """A descriptor for reading (or reading and writing) a file that may turn out not to be regular.

    Where a FIFO can stand in a file's place (POSIX) it is opened without blocking, so that the
    caller's ``fstat`` check refuses it instead of hanging; ``blocking`` then restores blocking
    reads. ``follow=False`` refuses a symbolic link where the system can (``ELOOP``).
    """
    flags = (os.O_RDWR if write else os.O_RDONLY) | _binary() | NONBLOCK
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    return os.open(path, flags)


def blocking(fd: int) -> None:
    """Undo ``open_regular``'s non-blocking open, once the file is known to be regular.

    Only where the file was opened without blocking: on Windows ``os.set_blocking`` exists
    (Python 3.12+) but fails on anything but a pipe (ERROR_INVALID_FUNCTION).
    """
    if NONBLOCK:
        os.set_blocking(fd, True)


def open_private(path: Path) -> int:
    """A new file only its owner may read (a private key); refuses to replace one.

    POSIX: mode 0600. Windows ignores mode bits: the file takes the access list of its
    folder, which is why ``private_key_exposure`` checks where it lies.
    """
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _binary(), 0o600)


def make_private_folder(path: Path) -> None:
    """The private key's folder (mode 0700 on POSIX; Windows keeps its parent's access list)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)


def owner_only(path: Path) -> bool:
    """Let only the file's owner read ``path`` (a private key); False when the system refused.

    POSIX: mode 0600. Windows: ``icacls`` drops the access entries the file inherited from its
    folder and grants the current user alone full control (the mode given at creation means
    nothing there).
    """
    import subprocess

    try:
        if not WINDOWS:
            os.chmod(path, 0o600)
            return True
        user = os.environ.get("USERNAME")
        if not user:
            return False
        done = subprocess.run(["icacls", str(path), "/inheritance:r", "/grant:r", f"{user}:F"],
                              capture_output=True, timeout=60)
        return done.returncode == 0
    except (OSError, ValueError, subprocess.SubprocessError):
        return False


def private_key_exposure(path: Path) -> str | None:
    """Why others might read the private key at ``path``, or None when it is kept as it should be.

    POSIX: ``"mode"``, a key that group or others may read. Windows has no mode bits: a key
    also takes the access list of the folder it lies in, so it must lie inside the user's
    own profile (``%USERPROFILE%``, which only that user and the administrators may read by
    default): ``"outside-profile"`` for a shared folder or a USB stick.
    """
    try:
        if WINDOWS:
            profile = os.environ.get("USERPROFILE")
            if not profile:
                return "no-profile"
            if not path.resolve().is_relative_to(Path(profile).resolve()):
                return "outside-profile"
            return None
        import stat

        mode = stat.S_IMODE(os.stat(path).st_mode)
        return "mode" if mode & 0o077 else None
    except OSError:
        return None


# --- appending ---------------------------------------------------------------------------------

def open_append(path: Path, create: bool) -> int:
    """A descriptor to append to a ledger; ``create`` makes a new file (refusing one that exists).

    Never follows a symbolic link where the system can tell (``ELOOP``). POSIX appends with
    ``O_APPEND``; the portable branch positions each write itself (``append_bytes``).
    """
    flags = os.O_WRONLY | os.O_CREAT | _binary() | getattr(os, "O_NOFOLLOW", 0)
    if create:
        flags |= os.O_EXCL
    if not portable():
        flags |= os.O_APPEND
    return os.open(path, flags, 0o644)


def append_bytes(fd: int, data: bytes) -> None:
    """Write all of ``data`` at the end of the file, then fsync. The caller holds the workspace lock.

    Portable branch: one seek to the end, then the writes, all under the lock, so no other
    writer can land between the seek and the write (what ``O_APPEND`` is on Windows).
    """
    if portable():
        os.lseek(fd, 0, os.SEEK_END)
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.fsync(fd)


# --- durable names -----------------------------------------------------------------------------

def sync_folder(folder: Path) -> None:
    """Make a new or renamed name in ``folder`` survive a crash (POSIX); nothing to do on Windows.

    Failures are ignored: the data itself is already fsynced, and some file systems
    refuse to sync a folder.
    """
    if portable():
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_synced(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (replacing it) and fsync it."""
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def replace(source: Path, target: Path, durable: bool = True) -> None:
    """Rename ``source`` over ``target`` in one step; ``durable`` also syncs the folder.

    On Windows a file another process holds open cannot be replaced for a moment (an
    antivirus scan, a reader): the rename is tried again a few times before giving up.
    """
    if WINDOWS:
        import time

        for pause in (0.05, 0.1, 0.2, 0.4, 0.8):
            try:
                os.replace(source, target)
                break
            except PermissionError:
                time.sleep(pause)
        else:
            os.replace(source, target)
    else:
        os.replace(source, target)
    if durable:
        sync_folder(Path(target).parent)


def keep_mode(path: Path, mode: int) -> None:
    """Give ``path`` the permission bits ``mode`` (POSIX). Windows has only a read-only flag,
    which would stop the next replacement of the file: nothing is done there."""
    if not WINDOWS:
        os.chmod(path, mode)


def file_mode(path: Path) -> int:
    """The permission bits a file written in ``path``'s place keeps: its own, else what the umask allows."""
    import stat

    if path.is_file():
        return stat.S_IMODE(path.stat().st_mode)
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


# --- the lock ----------------------------------------------------------------------------------

class ExclusiveLock:
    """An exclusive lock across processes on the lock file ``path`` (never the data it guards).

    Raises OSError when the lock file cannot be opened. On POSIX a read-only mount still
    locks (``flock`` works on a read-only descriptor); the write that follows is refused
    with what the file system said.
    """

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None
        self._portable = None

    def acquire(self) -> None:
        if portable():
            self._acquire_portable()
        else:
            self._acquire_flock()

    def _acquire_flock(self) -> None:
        import errno
        import fcntl

        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            if e.errno not in (errno.EROFS, errno.EACCES, errno.EPERM) or not self.path.is_file():
                raise
            fd = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def _acquire_portable(self) -> None:
        from filelock import FileLock

        lock = FileLock(str(self.path), timeout=-1)
        lock.acquire()
        self._portable = lock

    def release(self) -> None:
        if self._portable is not None:
            self._portable.release()
            self._portable = None
        elif self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None

    @property
    def held_by_filelock(self) -> bool:
        return self._portable is not None
