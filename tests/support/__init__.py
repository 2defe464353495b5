"""Helpers the tests share (not collected as tests): workspaces, the CLI in a subprocess, ledgers written in a test."""
