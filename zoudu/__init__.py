"""zoudu (走读): a plain-file ledger that ends cadre commuting in a township."""

__version__ = "0.1.0"
