"""Numbers as French readers write them: thin spaces between thousands, a decimal comma, a true
minus sign. One place for the twin's messages, its map legends and the command line."""

from __future__ import annotations

import math


def number(value: float, digits: int = 0) -> str:
    """``number(12345.678, 1)`` → ``'12 345,7'`` (the space is a narrow no-break space)."""
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",").replace("-", "\u2212")


def significant(value: float, digits: int = 3) -> str:
    """``digits`` significant digits at least, trailing zeros dropped, never an exponent:
    ``significant(0.0031416)`` → ``'0,00314'``, ``significant(12.5)`` → ``'12,5'``,
    ``significant(123456)`` → ``'123 456'``."""
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else "—"
    places = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    text = number(value, places)
    return text.rstrip("0").rstrip(",") if "," in text else text


SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def scientific(value: float, digits: int = 2) -> str:
    """``scientific(1.4e-16)`` → ``'1,4 × 10⁻¹⁶'``: a tiny or huge figure as French readers write it."""
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else "—"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = value / 10 ** exponent
    if round(mantissa, digits - 1) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{number(mantissa, digits - 1)}\u00a0×\u00a010{str(exponent).translate(SUPERSCRIPT)}"


SMALL_WORDS = {"de", "des", "du", "la", "le", "les", "et", "au", "aux", "en", "sur", "sous", "pour"}


def place_name(name: str) -> str:
    """A name as it should read on a page or in a letter: spaces tidied; a name typed all in
    capitals set in title case, small words kept small (« KIOSQUE A MUSIQUE SQUARE SERGE
    REGGIANI » → « Kiosque à Musique Square Serge Reggiani »). Mixed-case names are kept."""
    name = " ".join(str(name).split())
    if name != name.upper() or not any(c.isalpha() for c in name):
        return name
    out = []
    for i, word in enumerate(name.lower().split(" ")):
        if i and word in SMALL_WORDS | {"a"}:
            out.append("à" if word == "a" else word)
        elif word[:2] in ("d'", "l'"):
            out.append((word[0] if i else word[0].upper()) + "'" + _capitalised(word[2:]))
        else:
            out.append(_capitalised(word))
    return " ".join(out)


def _capitalised(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))


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


PARIS_TZ = "Europe/Paris"


def date_fr(value, time: bool = False, seconds: bool = False) -> str:
    """A moment as Parisians read it, in Paris time: ``'3 décembre 2026'``, or with ``time``
    ``'3 décembre 2026 à 14 h 05'``. Takes a datetime (naive ones are UTC, as the store keeps
    them), a date, or ISO text; empty values give ``'—'``."""
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if ("T" in value or " " in value.strip()) else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(ZoneInfo(PARIS_TZ))
        day = f"{'1er' if value.day == 1 else value.day} {MONTHS_FR[value.month - 1]} {value.year}"
        if seconds:
            return f"{day} à {value.hour} h {value.minute:02d} min {value.second:02d} s"
        return f"{day} à {value.hour} h {value.minute:02d}" if time else day
    return f"{'1er' if value.day == 1 else value.day} {MONTHS_FR[value.month - 1]} {value.year}"


def percent(value: float | None, digits: int = 2) -> str:
    """A share as a French percentage: ``percent(0.1234)`` → ``'12,34 %'``; ``'—'`` when unknown."""
    if value is None:
        return "—"
    return f"{100 * value:.{digits}f} %".replace(".", ",")
