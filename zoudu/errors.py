"""The one domain error the CLI turns into a clean message (exit status 2)."""

from __future__ import annotations


class ZouduError(Exception):
    """Bad input or a workspace that cannot be used: one line for the user.

    ``location`` is ``path:line`` (or just a path) when the problem sits in a file.
    """

    exit_code = 2

    def __init__(self, message: str, location: str | None = None):
        self.message = message
        self.location = location
        super().__init__(self.one_line())

    def one_line(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        # A message must stay one line even when it quotes hostile input.
        return " ".join(text.split("\n"))


class DamagedLedger(ZouduError):
    """A ledger that must be repaired before anything is appended to it (exit 1, like verify)."""

    exit_code = 1
