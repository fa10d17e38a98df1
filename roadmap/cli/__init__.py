"""The `roadmap` command line: one Typer app (app.py) that mounts a module per area.

Commands parse their arguments, call one use case and render its result; nothing else.
"""
