"""Numbers as French readers write them: thin spaces between thousands, a decimal comma, a true
minus sign. One place for the twin's messages, its map legends and the command line."""

from __future__ import annotations


def number(value: float, digits: int = 0) -> str:
    """``number(12345.678, 1)`` → ``'12 345,7'`` (the space is a narrow no-break space)."""
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",").replace("-", "\u2212")


MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")


def euros(value: float, digits: int = 2) -> str:
    """``euros(1234.5)`` → ``'1 234,50 €'`` (no-break space before the sign)."""
    return f"{number(float(value), digits)}\u00a0€"


def month_fr(month: str) -> str:
    """``month_fr("2026-11")`` → ``'novembre 2026'``."""
    year, m = str(month)[:7].split("-")
    return f"{MONTHS_FR[int(m) - 1]} {year}"


def arrondissement_fr(code: str) -> str:
    """``arrondissement_fr("75113")`` → ``'13e'``, ``"75101"`` → ``'1er'``; other text unchanged."""
    code = str(code)
    if len(code) == 5 and code.startswith("751") and code[3:].isdigit() and 1 <= int(code[3:]) <= 20:
        n = int(code[3:])
        return "1er" if n == 1 else f"{n}e"
    return code
