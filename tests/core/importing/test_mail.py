"""A digest e-mail saved with its headers is read through its MIME body."""

from __future__ import annotations

import email.message
import email.policy
from pathlib import Path

from desktop.core.importing.digest_file import read_digest_bytes, read_digest_file
from desktop.core.importing.digest_parser import parse_digest
from desktop.core.importing.mail import read_mail

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "digests"
BODY = (FIXTURES / "arxiv_email_astro_ph.txt").read_text(encoding="utf-8")


def _message(body: str, cte: str, subtype: str = "plain", charset: str = "utf-8") -> bytes:
    message = email.message.EmailMessage(policy=email.policy.SMTP)
    message["From"] = "no-reply@arxiv.org"
    message["Subject"] = "astro-ph daily Subj-class mailing 12 1"
    message.set_content(body, subtype=subtype, charset=charset, cte=cte)
    return bytes(message)


def test_a_quoted_printable_digest_reads_like_its_text() -> None:
    source = read_digest_file(FIXTURES / "arxiv_email_quoted_printable.eml")
    assert "=\n" not in source.text and "sh=" not in source.text
    assert any("quoted-printable" in w for w in source.warnings)
    result = parse_digest(source.text, None, source.name)
    assert result.format == "arxiv-email" and len(result.entries) == 3
    first = result.entries[0]
    assert first.abstract.startswith("We revisit gradient noise scale estimates for diffusion")
    assert "show that" in first.abstract
    assert first.authors == ("Kim Lee", "Saša Petrović", "J. Müller")


def test_base64_and_quoted_printable_bodies_are_the_digest_itself() -> None:
    plain = read_digest_bytes(BODY.encode("utf-8"), "digest.txt")
    for cte in ("base64", "quoted-printable"):
        mailed = read_digest_bytes(_message(BODY, cte), "digest.eml")
        # The same normalised text: the same digest, "already imported" the second time.
        assert mailed.sha256 == plain.sha256
        got = parse_digest(mailed.text, None, "digest.eml")
        assert [e.arxiv_id for e in got.entries] == [
            e.arxiv_id for e in parse_digest(BODY, None).entries
        ]


def test_an_mbox_message_and_an_html_only_message() -> None:
    mbox = b"From no-reply@arxiv.org Tue Dec  1 05:00:01 2026\n" + _message(BODY, "base64")
    from_mbox = read_mail(mbox)
    assert from_mbox is not None and from_mbox.text.replace("\r\n", "\n").startswith(BODY[:200])
    html = _message("<html><body><p>Hello <b>there</b></p></body></html>", "base64", "html")
    body = read_mail(html)
    assert body is not None and body.subtype == "html" and "<b>there</b>" in body.text


def test_text_that_only_looks_like_headers_is_left_as_it_is() -> None:
    # No MIME header: a digest that starts with "Title:"-style lines is not an e-mail.
    text = "Title: A Paper\nAuthors: A. Author\n\nAn abstract that is long enough to read.\n"
    assert read_mail(text.encode()) is None
    assert read_digest_bytes(text.encode(), "x.txt").text == text
    # Headers without a blank line after them, or prose first: not a message either.
    assert read_mail(b"Content-Type: text/plain\nno blank line") is None
    assert read_mail(b"Hello all,\n\nContent-Type: text/plain\n\nbody") is None


def test_an_unknown_charset_is_read_as_utf8_with_replacements() -> None:
    raw = _message(BODY, "base64").replace(b'charset="utf-8"', b'charset="x-nonsense"')
    body = read_mail(raw)
    assert body is not None and body.text.replace("\r\n", "\n").startswith(BODY[:200])
