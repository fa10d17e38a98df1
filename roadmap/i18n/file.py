"""Messages of the roadmap file format: reading and validation problems."""

MESSAGES: dict[str, dict[str, str]] = {}
