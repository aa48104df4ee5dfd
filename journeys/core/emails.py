"""Is this an email address? Django's EmailValidator rule (django/core/validators.py, BSD
licence), restated without Django so that the pure core can check traits with it; a test
holds the two to the same answers."""

from __future__ import annotations

import ipaddress
import re

_UL = "\u00a1-\uffff"  # Unicode letters
_HOSTNAME = r"[a-z" + _UL + r"0-9](?:[a-z" + _UL + r"0-9-]{0,61}[a-z" + _UL + r"0-9])?"
_DOMAIN = r"(?:\.(?!-)[a-z" + _UL + r"0-9-]{1,63}(?<!-))*"
_TLD = r"\.(?!-)(?:[a-z" + _UL + r"-]{2,63}|xn--[a-z0-9]{1,59})(?<!-)"
_USER = re.compile(
    r"(^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*\Z"
    r'|^"([\001-\010\013\014\016-\037!#-\[\]-\177]|\\[\001-\011\013\014\016-\177])*"\Z)',
    re.IGNORECASE,
)
_DOMAIN_PART = re.compile(r"^" + _HOSTNAME + _DOMAIN + _TLD + r"\Z", re.IGNORECASE)
_LITERAL = re.compile(r"\[([A-F0-9:.]+)\]\Z", re.IGNORECASE)
_ALLOWED_DOMAINS = ("localhost",)
MAX_LENGTH = 320  # RFC 3696, section 3


def is_email(value: str) -> bool:
    """True when Django's `validate_email` would accept `value`."""
    if not value or "@" not in value or len(value) > MAX_LENGTH:
        return False
    user, domain = value.rsplit("@", 1)
    if not _USER.match(user):
        return False
    return domain in _ALLOWED_DOMAINS or _domain_ok(domain)


def _domain_ok(domain: str) -> bool:
    if _DOMAIN_PART.match(domain):
        return True
    literal = _LITERAL.match(domain)
    if literal is None:
        return False
    try:
        ipaddress.ip_address(literal[1])
    except ValueError:
        return False
    return True
