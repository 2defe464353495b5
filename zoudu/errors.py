"""The one domain error the CLI turns into a clean message (exit status 2)."""

from __future__ import annotations

import re

# C0 and C1 control characters (and DEL), except the tab: acted on by a terminal, never shown.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Text with every control character written out as an escape (ESC as ``\\x1b``): one
    line a terminal shows as it is, whatever file or command line it was quoted from."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


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
        # A message must stay one line even when it quotes hostile input, and never reach
        # the terminal with a control code in it (an ESC could clear the screen or hide text).
        return visible(" ".join(text.split("\n")))


class DamagedLedger(ZouduError):
    """Damage found where a command was asked to check (publish refuses): exit 1, like verify."""

    exit_code = 1


class UnsafeToAppend(ZouduError):
    """A ledger whose tail is torn or unreadable: nothing may be chained to it.

    Like a broken rules.yaml, it is bad input to the recording command (exit 2).
    """
