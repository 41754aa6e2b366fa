"""What a change can run into, shared by the write path and the remote sync."""

from __future__ import annotations

from ..databank import Problem


class ValidationFailed(Exception):
    """The change would give the loader problems; nothing was written. ``problems`` say where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class Conflict(Exception):
    """Someone saved this file after it was opened; nothing was written.

    ``theirs`` is the text on disk now ("" when the file was deleted), ``mine`` the text the curator
    wanted to save, so the UI can show both side by side.
    """

    def __init__(self, file: str, theirs: str, mine: str) -> None:
        super().__init__(f"{file} is intussen door iemand anders gewijzigd / was changed by someone else")
        self.file = file
        self.theirs = theirs
        self.mine = mine
