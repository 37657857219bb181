"""Speakable referral codes: 9 random Crockford base32 symbols plus 1 check symbol.

Shown as `XXXXX-XXXXX`. The alphabet leaves out I, L, O and U, so a code read aloud or
typed from a poster is hard to get wrong; typed input is normalised (case, spaces,
dashes, `O`->`0`, `I`/`L`->`1`) before it is checked.

The check symbol is a Damm check over GF(32): the quasigroup `x * y = 2x + y` (GF(32)
arithmetic, polynomial x^5 + x^2 + 1) is totally anti-symmetric, so the check catches
every single wrong symbol and every swap of two neighbours. Such a mistake is reported
as a typo, never as an unknown code.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_SYMBOLS = 9
CODE_LENGTH = RANDOM_SYMBOLS + 1
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
_TRANSLATE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")
_POLYNOMIAL = 0b100101  # x^5 + x^2 + 1, irreducible over GF(2)


class CodeError(ValueError):
    """A typed code that cannot be one of ours; `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class CodeMalformed(CodeError):
    def __init__(self) -> None:
        super().__init__(
            "code_malformed",
            "A referral code has 10 letters and digits, like 7KD3M-QX2A9.",
        )


class CodeTypo(CodeError):
    def __init__(self) -> None:
        super().__init__(
            "code_typo",
            "This code has a typo: one symbol is wrong or two are swapped. Please check it.",
        )


def _times_two(value: int) -> int:
    value <<= 1
    if value & 0b100000:
        value ^= _POLYNOMIAL
    return value


def _check_value(values: list[int]) -> int:
    interim = 0
    for value in values:
        interim = _times_two(interim) ^ value
    # The symbol that brings the interim back to 0: 2 * interim + check = 0 in GF(32).
    return _times_two(interim)


def check_symbol(payload: str) -> str:
    return ALPHABET[_check_value([_VALUE[symbol] for symbol in payload])]


def generate_code() -> str:
    """A new canonical code (10 symbols, no dash) from the OS's secure random source."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    return payload + check_symbol(payload)


def normalize_symbols(raw: str) -> str:
    """The 10 symbols of a typed code, check symbol not verified; raises CodeMalformed."""
    text = _SEPARATORS.sub("", raw).upper().translate(_TRANSLATE)
    if len(text) != CODE_LENGTH or any(symbol not in _VALUE for symbol in text):
        raise CodeMalformed()
    return text


def is_well_formed(text: str) -> bool:
    """`text` (10 normalised symbols) carries the right check symbol."""
    return check_symbol(text[:RANDOM_SYMBOLS]) == text[-1]


def normalize_code(raw: str) -> str:
    """Canonical form of a typed code; raises CodeMalformed or CodeTypo."""
    text = normalize_symbols(raw)
    if not is_well_formed(text):
        raise CodeTypo()
    return text


def typo_corrections(text: str) -> set[str]:
    """Every well-formed code one mistake away from `text` (10 normalised symbols): one
    symbol replaced, or two symbols swapped (neighbours or not). At most 10 x 31 + 45
    candidates, most of which the check symbol rules out."""
    candidates: set[str] = set()
    for position in range(CODE_LENGTH):
        for symbol in ALPHABET:
            if symbol != text[position]:
                candidates.add(text[:position] + symbol + text[position + 1 :])
    for first in range(CODE_LENGTH):
        for second in range(first + 1, CODE_LENGTH):
            if text[first] != text[second]:
                swapped = list(text)
                swapped[first], swapped[second] = swapped[second], swapped[first]
                candidates.add("".join(swapped))
    return {candidate for candidate in candidates if is_well_formed(candidate)}


def format_code(code: str) -> str:
    """`7KD3MQX2A9` -> `7KD3M-QX2A9`."""
    return f"{code[:5]}-{code[5:]}" if len(code) == CODE_LENGTH else code
