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


def normalize_code(raw: str) -> str:
    """Canonical form of a typed code; raises CodeMalformed or CodeTypo."""
    text = _SEPARATORS.sub("", raw).upper().translate(_TRANSLATE)
    if len(text) != CODE_LENGTH or any(symbol not in _VALUE for symbol in text):
        raise CodeMalformed()
    if check_symbol(text[:RANDOM_SYMBOLS]) != text[-1]:
        raise CodeTypo()
    return text


def format_code(code: str) -> str:
    """`7KD3MQX2A9` -> `7KD3M-QX2A9`."""
    return f"{code[:5]}-{code[5:]}" if len(code) == CODE_LENGTH else code
