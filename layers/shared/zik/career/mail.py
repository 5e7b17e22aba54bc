"""A forwarded e-mail as interview detection reads it: a raw MIME message (what SES stores, or a ``.eml``)
parsed with the standard library, and the forwarding address that names its owner. Pure: no AWS.

The message: the standard ``email`` package with its default policy (encoded-word headers and every
charset decoded). Its text is the message's own: in a multipart/alternative the text/plain part, else the
HTML one with its tags taken out (a link keeps its address: "Join (https://zoom.us/j/...)"); a forwarded
message attached whole (message/rfc822) is read as a forwarded block, its From, Date and Subject first,
as a mail client writes an inline forward; other attachments are not read. A message over
MAX_MESSAGE_BYTES is not read at all, and one whose text is over MAX_BODY_BYTES is refused (TooLarge).

The owner: each user has a forwarding address ``interviews+<token>@<mail domain>`` (``address``), the
token random and unguessable. Forwarded or redirected, a message keeps that address somewhere in its
headers: To or Cc (sent or forwarded to it by hand), Delivered-To, X-Original-To, X-Forwarded-To,
Envelope-To (a mailbox's forwarding rule), a Received header's "for <address>" (SES and most servers);
``tokens`` finds it in any of them.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage, Message
from html.parser import HTMLParser

from zik.career.interviews import Email
from zik.career.markup import parseable

MAX_MESSAGE_BYTES = 25 * 1024 * 1024  # SES stores up to 40 MB; attachments aside, an invitation is small
MAX_BODY_BYTES = 2 * 1024 * 1024
LOCAL_PART = "interviews"
LOCAL_MAIL_DOMAIN = "mail.zik.localhost"
TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"  # mail systems may fold case: no upper case
TOKEN_LENGTH = 20
MAX_NESTING = 8

_TOKEN = re.compile(rf"(?<![\w.+-]){LOCAL_PART}\+(?P<token>[a-z0-9]{{8,64}})@", re.IGNORECASE)
_RECIPIENT_HEADERS = (
    "To",
    "Cc",
    "Delivered-To",
    "X-Original-To",
    "X-Forwarded-To",
    "X-Forwarded-For",
    "Envelope-To",
    "X-Envelope-To",
    "Original-Recipient",
    "Resent-To",
    "X-Rcpt-To",
    "Received",
)
_BLOCKS = frozenset("p div br tr li h1 h2 h3 h4 h5 h6 table ul ol blockquote section article header footer hr dt dd".split())
_HIDDEN = frozenset("script style head title template noscript".split())


class Malformed(ValueError):
    """Not a mail message one can read (no headers, or nothing that says who sent it)."""


class TooLarge(ValueError):
    """Over MAX_MESSAGE_BYTES, or a text over MAX_BODY_BYTES."""


@dataclass(frozen=True)
class Mail:
    message: Email
    tokens: tuple[str, ...]  # forwarding-address tokens found in the headers, in the order found


def address(token: str, domain: str | None) -> str:
    """The forwarding address of ``token``; the local one when the stack receives no mail (MAIL_DOMAIN empty)."""
    return f"{LOCAL_PART}+{token}@{(domain or '').strip().lower() or LOCAL_MAIL_DOMAIN}"


def parse(raw: bytes, *, received_at: dt.datetime) -> Mail:
    """The message in ``raw`` (``received_at``: when it arrived, used when it has no readable Date)."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise TooLarge(f"the message is {len(raw)} bytes; at most {MAX_MESSAGE_BYTES} are read")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not message.keys() or not (_header(message, "From") or _header(message, "Subject")):
        raise Malformed("no From and no Subject: not a mail message")
    body = "\n".join(part for part in _texts(message, 0) if part.strip()).replace("\r\n", "\n").strip()
    size = len(body.encode("utf-8", "surrogatepass"))
    if size > MAX_BODY_BYTES:
        raise TooLarge(f"the message's text is {size} bytes; at most {MAX_BODY_BYTES} are read")
    read = Email(
        subject=_header(message, "Subject"),
        sender=_header(message, "From"),
        body=body,
        received_at=_date(message) or received_at,
        message_id=_header(message, "Message-ID") or None,
    )
    return Mail(read, tuple(tokens(message)))


def tokens(message: Message) -> Iterator[str]:
    """Forwarding-address tokens in the recipient headers (lower case, each once)."""
    seen: set[str] = set()
    names = [*_RECIPIENT_HEADERS, *(name for name in message if name.lower().startswith("x-ses-"))]
    for name in names:
        for value in message.get_all(name) or []:
            for found in _TOKEN.finditer(_text(value)):
                token = found.group("token").lower()
                if token not in seen:
                    seen.add(token)
                    yield token


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError, LookupError):  # a header the policy cannot parse
        value = None
    return " ".join(_text(value).split()) if value is not None else ""


def _text(value: object) -> str:
    try:
        return str(value)
    except (ValueError, IndexError, TypeError, LookupError):
        return ""


def _date(message: Message) -> dt.datetime | None:
    raw = _header(message, "Date")
    if not raw:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment if 1900 <= moment.year <= 2999 else None


def _texts(part: Message, depth: int) -> Iterator[str]:
    if depth > MAX_NESTING:
        return
    kind = part.get_content_type()
    if kind == "message/rfc822":
        for inner in _payload_messages(part):
            yield _forward_header(inner)
            yield from _texts(inner, depth + 1)
        return
    if _is_attachment(part):
        return
    if part.is_multipart():
        children = list(part.iter_parts()) if isinstance(part, EmailMessage) else list(part.get_payload() or [])
        if kind == "multipart/alternative":
            chosen = next((c for c in children if c.get_content_type() == "text/plain"), None)
            chosen = chosen or next((c for c in children if c.get_content_type() == "text/html"), None)
            chosen = chosen or next((c for c in children if c.is_multipart()), None)
            if chosen is not None:
                yield from _texts(chosen, depth + 1)
            return
        for child in children:
            yield from _texts(child, depth + 1)
        return
    if kind == "text/plain":
        yield _decoded(part)
    elif kind == "text/html":
        yield html_text(_decoded(part))


def _payload_messages(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [inner for inner in payload if isinstance(inner, Message)]
    if isinstance(payload, Message):
        return [payload]
    return []


def _is_attachment(part: Message) -> bool:
    disposition = (_header(part, "Content-Disposition").split(";", 1)[0]).strip().lower()
    return disposition == "attachment"


def _forward_header(inner: Message) -> str:
    lines = ["---------- Forwarded message ---------"]
    for name in ("From", "Date", "Subject", "To"):
        value = _header(inner, name)
        if value:
            lines.append(f"{name}: {value}")
    return "\n".join(lines) + "\n"


def _decoded(part: Message) -> str:
    """A text part's content in its charset (an unknown or wrong charset is read as UTF-8, with
    replacements, rather than dropped)."""
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, ValueError, AssertionError, KeyError):
        pass
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode("utf-8", "replace")
    return payload if isinstance(payload, str) else ""


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.hidden = 0
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.out.append("\n")
        if tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.out.append("\n")
        if tag == "a" and self.links:
            href = self.links.pop()
            if href and href.lower().startswith(("http://", "https://")) and href not in (self.out[-1] if self.out else ""):
                self.out.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.out.append(data)


def html_text(html: str) -> str:
    """The text of an HTML mail: tags out, blocks on lines of their own, entities decoded, each link's
    address after its text."""
    parser = _HtmlText()
    try:
        parser.feed(parseable(html))
        parser.close()
    except (AssertionError, ValueError):  # HTMLParser gives up on some broken markup: keep what it read
        pass
    lines = (" ".join(line.split()) for line in "".join(parser.out).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
