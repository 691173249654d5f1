"""The `reviewqa` command, one module per command group; `main` builds the parser."""

from assistant.cli.main import main

__all__ = ["main"]
