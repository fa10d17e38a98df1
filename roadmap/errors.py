"""Errors a user can cause. The CLI prints them as one message and exits with 2."""

from __future__ import annotations

from dataclasses import dataclass


class UserError(Exception):
    """Bad input: a file, an argument, a date or a setting. Nothing was written."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, with where it is."""

    where: str  # "roadmap.yaml:42" or "roadmap.xlsx[initiatives]:7"
    key: str  # "initiatives[3].agency"
    message: str

    def __str__(self) -> str:
        key = f" {self.key}:" if self.key else ""
        return f"{self.where}:{key} {self.message}"


class InvalidFile(UserError):
    """A roadmap file with one or more problems; the file is rejected whole."""

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.problems = problems
        self.total = total if total is not None else len(problems)
        super().__init__("\n".join(str(p) for p in problems))
