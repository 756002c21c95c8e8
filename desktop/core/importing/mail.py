"""Saved e-mail messages: a digest e-mail kept with its headers (``.eml``, an mbox message).

A MIME message's body may be quoted-printable (``sh=\\now`` for ``show``) or base64, which no
reader can see through; here the message is parsed by the standard library's :mod:`email`
and its text body (plain text preferred, else HTML) becomes the digest text. Only text whose
head is a block of header lines that declares MIME is read this way: a digest that merely
quotes a ``Subject:`` line stays as it is. Nothing in the message is fetched or run.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage

# "Name: value" header lines (RFC 5322 field names), or a folded continuation.
_HEADER_RE = re.compile(rb"^(?:[!-9;-~]+:|[ \t])")
_MIME_FIELDS = (b"mime-version:", b"content-type:", b"content-transfer-encoding:")


@dataclass(frozen=True)
class MailBody:
    """The text body of a message, and how it was stored."""

    text: str
    subtype: str  # "plain" or "html"
    transfer_encoding: str  # "quoted-printable", "base64", "7bit"…


def _header_block(data: bytes) -> list[bytes] | None:
    """The message's header lines, or None when ``data`` does not start with headers."""
    head = data[:65536].replace(b"\r\n", b"\n")
    block, blank, _ = head.partition(b"\n\n")
    if not blank:
        return None
    lines = block.split(b"\n")
    if len(lines) < 2 or lines[0][:1] in (b" ", b"\t"):
        return None
    if not all(_HEADER_RE.match(line) for line in lines):
        return None
    return lines


def read_mail(data: bytes) -> MailBody | None:
    """The text body of a MIME e-mail message in ``data``; None when it is not one."""
    if data.startswith(b"From "):  # an mbox separator line
        data = data.split(b"\n", 1)[-1]
    lines = _header_block(data)
    if lines is None or not any(line.lower().startswith(_MIME_FIELDS) for line in lines):
        return None
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        return None
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return None
    try:
        text = part.get_content()
    except (LookupError, ValueError, UnicodeError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    if not isinstance(text, str):
        return None
    return MailBody(
        text=text,
        subtype=part.get_content_subtype(),
        transfer_encoding=str(part.get("Content-Transfer-Encoding", "7bit")).strip().lower(),
    )
