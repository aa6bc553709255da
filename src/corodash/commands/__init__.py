"""Headless commands: ``trace``, ``repl`` (and the shared run-to-the-end loop)."""
