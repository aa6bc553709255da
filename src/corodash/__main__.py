"""`python -m corodash`: the same entry point as the `corodash` command."""

from corodash.cli import run

run()
