"""One exception family. Every message says what is wrong, where, and what to do."""

from __future__ import annotations

from pathlib import Path


class RecoqueError(Exception):
    """Base of every error Recoque raises on purpose."""


class SettingsError(RecoqueError):
    """A setting is missing, malformed or unsafe."""


class DataFileError(RecoqueError):
    """A bundled or supplied data file is missing, truncated or malformed."""

    def __init__(self, path: Path | str, problem: str, hint: str | None = None) -> None:
        self.path = Path(path)
        self.problem = problem
        self.hint = hint or "restore the file from the repository (git checkout -- data/) or fix it"
        super().__init__(f"{self.path}: {problem} — {self.hint}")


class CRSMismatchError(RecoqueError):
    """Two layers, or a layer and the expected CRS, do not agree."""


class TerritoryCheckError(RecoqueError):
    """The territory loaded but breaks an invariant (codes, counts, containment)."""


class NotBuiltError(RecoqueError):
    """An artifact the caller needs has not been built yet."""


class UnknownNameError(RecoqueError, LookupError):
    """A name (layer, level, code) that does not exist was asked for."""
