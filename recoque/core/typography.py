"""Numbers as French readers write them: thin spaces between thousands, a decimal comma, a true
minus sign. One place for the twin's messages, its map legends and the command line."""

from __future__ import annotations


def number(value: float, digits: int = 0) -> str:
    """``number(12345.678, 1)`` → ``'12 345,7'`` (the space is a narrow no-break space)."""
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",").replace("-", "\u2212")
