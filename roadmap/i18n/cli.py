"""Messages of the command line: headings, labels and hints."""

MESSAGES: dict[str, dict[str, str]] = {}
