"""The 287(g) atlas: cleaning, matching and statistics behind the notebooks."""

__version__ = "0.1.0"
