"""The dashboard: a Textual app over the engine. It only consumes the session's events and
sends it commands; nothing here runs the user's code."""
