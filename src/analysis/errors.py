"""Errors a user can act on. The command line prints them as one line, without a traceback;
every layer raises them, so they live at the bottom of the package."""

from __future__ import annotations


class UserError(Exception):
    """An error the user can fix; printed as one message, without a traceback."""
