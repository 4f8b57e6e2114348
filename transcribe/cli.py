"""Subcommands of this stage (registered into the main `journeytape` app)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this stage's subcommands to ``app``. Import nothing heavy at module level."""
