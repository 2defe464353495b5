"""Rendering only: Rich tables, HTML, Markdown and CSV from plain results. The one place that imports Rich."""
