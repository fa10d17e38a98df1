"""The lists a person runs most, started without Typer's parsing: `regions list`, `agencies
list` and `tasks list`. Typer 0.29 coerces every option's value through a pydantic
TypeAdapter, which costs a tenth of a second or more before a command starts. Here the
command line is read by hand when it is plainly one of those lists with options it knows,
each given once; anything else (help, a mistake, an unknown option, --lang of another
value) goes to Typer, which parses and reports as it always does. The command run is the
same function Typer runs, with the same messages and exit codes.
"""

from __future__ import annotations

import sys

# (group, command) -> (function in roadmap.cli.plan, its flags, its options with a value)
COMMANDS: dict[tuple[str, str], tuple[str, dict[str, str], dict[str, str]]] = {
    ("regions", "list"): ("regions_list", {"--json": "as_json"}, {}),
    ("agencies", "list"): ("agencies_list", {"--json": "as_json"}, {"--region": "region"}),
    ("tasks", "list"): (
        "tasks_list",
        {"--json": "as_json", "--csv": "as_csv", "--overdue": "overdue", "--all": "show_all"},
        {"--agency": "agency", "--status": "status", "--now": "now", "--region": "region"},
    ),
}


def parse(argv: list[str]) -> tuple[str | None, str, dict[str, object]] | None:
    """(--lang, the command's function name, its keyword arguments), or None when the
    command line is not plainly one of the quick commands."""
    lang = None
    if argv[:1] == ["--lang"] and len(argv) > 1:
        lang, argv = argv[1], argv[2:]
    elif argv[:1] and argv[0].startswith("--lang="):
        lang, argv = argv[0].removeprefix("--lang="), argv[1:]
    if lang not in (None, "ru", "en") or tuple(argv[:2]) not in COMMANDS:
        return None
    name, flags, options = COMMANDS[(argv[0], argv[1])]
    kwargs: dict[str, object] = {}
    rest = argv[2:]
    i = 0
    while i < len(rest):
        token = rest[i]
        if token in flags:
            key, value, i = flags[token], True, i + 1
        else:
            option, eq, value = token.partition("=")
            if option not in options:
                return None
            key = options[option]
            if not eq:
                if i + 1 >= len(rest) or rest[i + 1].startswith("-"):
                    return None
                value, i = rest[i + 1], i + 2
            else:
                i += 1
        if key in kwargs:
            return None
        kwargs[key] = value
    return lang, name, kwargs


def run(argv: list[str]) -> bool:
    """Run a quick command and exit; False when the command line is Typer's to read."""
    parsed = parse(argv)
    if parsed is None:
        return False
    lang, name, kwargs = parsed
    import errno

    from typer import Abort, Exit

    from roadmap.cli import plan
    from roadmap.i18n import set_locale

    if lang is not None:
        set_locale(lang)
    # As Typer's own main loop does: an exit code, Ctrl-C, a closed pipe (`| head`).
    try:
        getattr(plan, name)(**kwargs)
        code = 0
    except Exit as exc:
        code = exc.exit_code
    except Abort:
        print("Aborted!", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        code = 130
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        from typer._click.utils import PacifyFlushWrapper

        sys.stdout = PacifyFlushWrapper(sys.stdout)
        sys.stderr = PacifyFlushWrapper(sys.stderr)
        code = 1
    sys.exit(code)
