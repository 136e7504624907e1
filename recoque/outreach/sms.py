"""SMS text in the GSM 03.38 alphabet, counted as the network counts it.

French accents « é è à ù É » are in GSM 03.38 and stay; the few letters it lacks (« ç â ê î ô
û ë ï œ ») are replaced by the nearest letter it has, so that a message never falls back to
UCS-2 (70 characters a segment). Lengths are counted in septets with the ``gsm0338`` codec:
characters of the extension table (``~ € [ ] { } | ^ \\``) take two.
"""

from __future__ import annotations

import unicodedata

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

CODEC = "gsm03.38"
SINGLE_SEGMENT = 160          # septets in one GSM-7 message
MULTIPART_SEGMENT = 153       # septets per part of a concatenated message
#: letters outside GSM 03.38, replaced by their nearest letter inside it
NEAREST = str.maketrans({"ç": "c", "â": "a", "ê": "e", "î": "i", "ô": "o", "û": "u", "ë": "e", "ï": "i", "ÿ": "y",
                         "œ": "oe", "Œ": "OE", "À": "A", "Â": "A", "È": "E", "Ê": "E", "Ë": "E", "Î": "I", "Ï": "I",
                         "Ô": "O", "Ù": "U", "Û": "U", "«": '"', "»": '"', "’": "'", "‘": "'", "“": '"', "”": '"',
                         "–": "-", "—": "-", "…": "...", "\u00a0": " ", "\u202f": " "})


def to_gsm(text: str) -> str:
    """``text`` with every character encodable in GSM 03.38 (accents it has are kept)."""
    text = text.translate(NEAREST)
    out = []
    for ch in text:
        try:
            ch.encode(CODEC)
            out.append(ch)
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(plain or "?")
    return "".join(out)


def septets(text: str) -> int:
    """Length of ``text`` in GSM-7 septets (raises UnicodeEncodeError outside GSM 03.38)."""
    return len(text.encode(CODEC))


def segments(text: str) -> int:
    """Number of SMS a GSM-7 text takes."""
    n = septets(text)
    return 1 if n <= SINGLE_SEGMENT else -(-n // MULTIPART_SEGMENT)


def fits(text: str) -> bool:
    """True when ``text`` is GSM 03.38 and fits one SMS."""
    try:
        return septets(text) <= SINGLE_SEGMENT
    except UnicodeEncodeError:
        return False
