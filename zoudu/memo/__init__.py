"""Every cache zoudu keeps, in one package: what is kept, under which key, how it is checked.

docs/architecture.md#caches has the table of each kind, its key and what invalidates it
(``tests/test_cache_table_names_every_kind.py`` holds the table and ``KINDS`` together).

- ``zoudu.memo.store``: the storage (keys, the HMAC, the envelope, ``load``/``store``, file
  stamps) and the helpers the ledger's readers call (``rules``, ``roster``, ``marks``);
- ``zoudu.memo.states``: the JSON states of a check over one ledger file (``chain``, ``verified``);
- ``zoudu.memo.stages``: the audit's and publish's stages wrapped from outside (``audit_month``,
  ``rendered``, ``result_key``, ``printed``), called by the commands.

The stages of the audit and of publishing (``zoudu.audit``, ``zoudu.publish``) are plain
functions that never look at a cache, and the ledger's modules reach only ``store`` and
``states``, which import nothing of zoudu but ``zoudu.system``: this package imports neither.
"""

# Every kind of cache, and what it keeps (msgpack files ``KIND-KEY.msgpack``, JSON states
# ``KIND-HASH.json``). docs/architecture.md#caches has a row for each, and no other.
KINDS: dict[str, str] = {
    "rules": "rules.yaml as checked (a sign-in then does not import PyYAML)",
    "roster": "the roster log's changes, replayed when read",
    "lines": "the lines the audit picks from another month's file",
    "marks": "where a file's lines of some kinds are (byte offset, line number)",
    "audit": "a closed month's whole audit result",
    "audit-split": "each cadre's part of a closed month's result",
    "shown": "zoudu audit's output of a closed month as printed",
    "printed": "a closed month's notice as printed",
    "chain": "how far the audited month's own file is chain-checked (JSON)",
    "verified": "a month verify found clean (JSON)",
}
