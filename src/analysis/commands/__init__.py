"""Subcommands of the ``analysis`` CLI (see analysis.cli)."""
