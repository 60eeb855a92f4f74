"""The complaint form's check question: a sum of two small numbers.

The page carries a signed, time-limited token with a keyed hash of the answer (not the answer itself);
nothing is stored on the server.
"""

import secrets

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

CHALLENGE_SALT = "govcredit.complaints.challenge"
CHALLENGE_MAX_AGE = 30 * 60


def _answer_hash(nonce: str, answer: int) -> str:
    return salted_hmac(CHALLENGE_SALT, f"{nonce}:{answer}").hexdigest()


def challenge_new() -> tuple[str, str]:
    """(question, token) — e.g. ("3 + 4 = ?", "eyJ…")."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_hex(8)
    token = signing.dumps({"n": nonce, "h": _answer_hash(nonce, a + b)}, salt=CHALLENGE_SALT, compress=True)
    return f"{a} + {b} = ?", token


def challenge_error(token: str, answer: str) -> str | None:
    """None when `answer` solves the question of `token`; otherwise what to tell the person."""
    if not (answer or "").strip():
        return _("Answer the question.")
    try:
        payload = signing.loads(token or "", salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
    except signing.SignatureExpired:
        return _("The question has expired; please answer the new one.")
    except signing.BadSignature:
        return _("Answer the question shown on the page.")
    try:
        value = int(answer.strip())
    except ValueError:
        return _("Enter the answer as a number.")
    if not constant_time_compare(payload.get("h", ""), _answer_hash(payload.get("n", ""), value)):
        return _("That is not the right answer; please answer the new question.")
    return None
