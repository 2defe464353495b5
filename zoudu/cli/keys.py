"""``zoudu keys init`` and ``zoudu seal``: the township's signing key and the signed monthly seal."""

from __future__ import annotations

from typing import Optional

import typer

from zoudu.cli.common import BY_HELP, workspace
from zoudu.i18n import _

part = typer.Typer()
keys_app = typer.Typer(no_args_is_help=True, help=_("The township's signing key (Ed25519)."))
part.add_typer(keys_app, name="keys")
rules_app = typer.Typer(no_args_is_help=True, help=_("The rules a sealed month was audited under."))
part.add_typer(rules_app, name="rules")


@keys_app.command("init")
def keys_init() -> None:
    """Create the key pair: the private key outside ledgers/ (mode 0600), the public key to hand to the county."""
    from zoudu.ledger.keys import keys_init as make

    ws = workspace()
    private, public, protected = make(ws)
    print(_("private key (keep it secret, never send it): {path}").format(path=private))
    print(_("public key (send it to the county discipline commission):"))
    print(public)
    if not protected:
        _warn(_("the system did not let the private key's file be limited to its owner: check who may "
                "read {path}").format(path=private))
    _warn_exposed(ws)


def _warn(message: str) -> None:
    import sys

    print(f"zoudu: {_('warning')}: {message}", file=sys.stderr)


def _warn_exposed(ws) -> None:
    """On Windows, a private key outside the user's profile is said on every command that uses it
    (mode bits mean nothing there). On POSIX a key others may read is refused by ``seal`` itself
    (docs/trust-model.md), so it is not warned about here."""
    from zoudu.ledger.keys import key_exposure

    path, exposure = key_exposure(ws)
    if exposure in ("outside-profile", "no-profile"):
        _warn(_("the private key lies outside your user profile, where Windows lets whoever may read that "
                "folder read it: keep it under your profile (set ZOUDU_KEY): {path}").format(path=path))


@part.command()
def seal(
    month: Optional[str] = typer.Option(None, "--month", help=_("The month to seal (default: the running month up to now, a checkpoint).")),
    by: Optional[str] = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Sign a seal of a month's ledgers, rules and roster; prints its id and code."""
    from zoudu.ledger.record import recorder
    from zoudu.ledger.seals import CODE_HEX, make_seal

    ws = workspace()
    _warn_exposed(ws)
    entry_id, code = make_seal(ws, month, recorder(ws, by))
    print(f"{entry_id} {code[:CODE_HEX]}")


@rules_app.command("diff")
def rules_diff(month: str = typer.Argument(..., metavar="MONTH", help=_("A sealed month, YYYY-MM."))) -> None:
    """Show what changed in rules.yaml since the month was sealed."""
    from zoudu.audit.sealed import rules_diff as diff
    from zoudu.render.text import printable

    sealed, lines = diff(workspace(), month)
    if not lines:
        print(_("rules.yaml is as {month} was sealed with ({rules})").format(month=month, rules=sealed))
        return
    for line in lines:
        print(printable(line))
