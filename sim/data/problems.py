"""Validation problems: collected, never raised one at a time.

Loaders report every problem they find as ``file:line: message`` and raise one
:class:`ValidationError` at the end, so a user fixes a data file in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_MESSAGE = 300


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one line of one file (line 0: the file as a whole)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


# The order files are read in: a problem in an earlier file is often the cause of later ones
# (a bad faction id makes every row naming it wrong), so it is listed first.
FILE_ORDER = ("scenario.yaml", "territories.csv", "adjacency.csv", "factions.yaml",
              "backers.yaml", "initial_control.csv", "events.csv", "observations.csv",
              "alliances.csv")


def _order(problem: Problem) -> tuple:
    rank = FILE_ORDER.index(problem.file) if problem.file in FILE_ORDER else len(FILE_ORDER)
    return (rank, problem.file, problem.line, problem.message)


class ValidationError(ValueError):
    """Bad input: carries every :class:`Problem` found, file by file in the order they are
    read (root causes first), then by line."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=_order)
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """Collects problems while a loader reads its files."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file: str, line: int, message: str) -> None:
        # one problem, one line: a value quoted from a file may hold line breaks (a quoted
        # CSV cell can; so can NEL or U+2028) or other unprintable characters: shown escaped
        if not message.isprintable():
            message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
        if len(message) > MAX_MESSAGE:  # a message quotes a value, never a whole file
            message = message[:MAX_MESSAGE - 1] + "…"
        self.items.append(Problem(file, int(line), message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationError(self.items)
