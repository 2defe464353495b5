"""The transparency-log formats zoudu writes are C2SP's own: checked against published vectors
(RFC 6962's Merkle roots, sumdb/note's PeterNeumann note, a real tlog-cosignature/v1 witness line)."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from zoudu.ledger import tlog

LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
ROOTS = ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
         "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
         "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
         "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
         "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
         "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
         "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]


@pytest.mark.parametrize("size", range(1, 9))
def test_merkle_roots_are_rfc_6962s(size):
    assert tlog.merkle_root([bytes.fromhex(x) for x in LEAVES[:size]]).hex() == ROOTS[size - 1]


def test_the_empty_tree():
    assert tlog.merkle_root([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


# golang.org/x/mod/sumdb/note's example: Ed25519 is deterministic, so signing must give its bytes.
PETER_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_NOTE = PETER_TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"


def _peter() -> Ed25519PrivateKey:
    blob = base64.b64decode(PETER_SIGNER.split("+", 4)[4])  # the base64 holds a "+" too
    assert blob[0] == tlog.ED25519
    return Ed25519PrivateKey.from_private_bytes(blob[1:])


def test_a_signed_note_is_byte_for_byte_sumdbs():
    key = _peter()
    signature = tlog.sign_note(PETER_TEXT, "PeterNeumann", key)
    assert tlog.join_note(PETER_TEXT, [signature]) == PETER_NOTE
    assert tlog.verifier_key("PeterNeumann", tlog.ED25519, tlog.raw_public(key.public_key())) == PETER_VERIFIER
    name, kind, public = tlog.parse_verifier_key(PETER_VERIFIER)
    assert tlog.verify_note(PETER_NOTE, name, Ed25519PublicKey.from_public_bytes(public)) == PETER_TEXT
    with pytest.raises(tlog.NoteError):
        tlog.verify_note(PETER_NOTE.replace("cryptography", "cryptographY"), name,
                         Ed25519PublicKey.from_public_bytes(public))


# A real checkpoint of a CT log and the remora.n621.de witness's tlog-cosignature/v1 of it.
CT_CHECKPOINT = ("arche2025h1.staging.ct.transparency.dev\n1432088532\n"
                 "U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=\n")
REMORA = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
REMORA_LINE = ("\u2014 remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTy"
               "nk5XeU/zZ0WBxtqB0DrAWfBw==\n")


def test_a_witness_cosignature_verifies_as_tlog_cosignature_v1():
    name, kind, public = tlog.parse_verifier_key(REMORA)
    assert kind == tlog.COSIGNATURE
    note = CT_CHECKPOINT + "\n" + REMORA_LINE
    text, timestamp = tlog.verify_cosignature(note, name, Ed25519PublicKey.from_public_bytes(public))
    assert text == CT_CHECKPOINT and timestamp > 1_700_000_000
    assert tlog.parse_checkpoint(text).size == 1432088532
    with pytest.raises(tlog.NoteError):
        tlog.verify_cosignature(note.replace("1432088532", "1432088533"), name,
                                Ed25519PublicKey.from_public_bytes(public))


def test_cosigning_round_trip_and_key_ids_by_type():
    key = Ed25519PrivateKey.generate()
    cp = tlog.Checkpoint("zoudu/崇仁县/石庄乡", 3, tlog.merkle_root([b"a", b"b", b"c"]))
    assert tlog.parse_checkpoint(cp.text()) == cp
    sig = tlog.cosign(cp.text(), "county/崇仁县", key, 1_800_000_000)
    note = tlog.join_note(cp.text(), [sig])
    assert tlog.verify_cosignature(note, "county/崇仁县", key.public_key()) == (cp.text(), 1_800_000_000)
    with pytest.raises(tlog.NoteError):  # a cosignature is not a note signature (another key ID)
        tlog.verify_note(note, "county/崇仁县", key.public_key())


@pytest.mark.parametrize("bad", ["", "x\n", "o\n01\nAAAA\n", "o\n1\nnot-base64\n", "o\n1\nAAAA\n"])
def test_malformed_checkpoints_are_refused(bad):
    with pytest.raises(tlog.NoteError):
        tlog.parse_checkpoint(bad)
