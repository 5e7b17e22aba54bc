"""Forwarded mail as InterviewMailFunction reads it: raw MIME messages built here the way mail clients and
SES write them (multipart/alternative, HTML only, quoted-printable, base64, encoded-word headers in several
charsets, forwards attached inside forwards, attachments, huge bodies), and the forwarding address found
in whichever header carries it."""

from __future__ import annotations

import base64
import datetime as dt
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from zik.career import interviews, mail

EVENTS = Path(__file__).resolve().parents[2] / "events"
ARRIVED = dt.datetime(2026, 11, 23, 17, 15, 4, tzinfo=dt.UTC)
TOKEN = "k3v9q2m8x4t7w1z5r6p0"
ADDRESS = f"interviews+{TOKEN}@mail.zik.localhost"
INVITATION = "Hi Ada,\nWe'd like to invite you to a technical interview on Tuesday, December 8 at 2:30 PM PST.\nJane, Acme Corp"


def message(**headers: str) -> EmailMessage:
    built = EmailMessage(policy=policy.SMTP)
    defaults = {
        "From": "Jane Doe <jane@acme.com>",
        "To": ADDRESS,
        "Subject": "Interview invitation",
        "Date": "Mon, 23 Nov 2026 09:15:00 -0800",
        "Message-ID": "<m1@acme.com>",
    }
    for name, value in {**defaults, **headers}.items():
        if value:
            built[name] = value
    return built


def parse(built: EmailMessage | bytes) -> mail.Mail:
    return mail.parse(built if isinstance(built, bytes) else built.as_bytes(), received_at=ARRIVED)


def test_the_sample_eml_is_read_whole() -> None:
    read = parse((EVENTS / "interview_invitation.eml").read_bytes())
    assert read.tokens == (TOKEN,)
    assert read.message.subject == "Interview invitation – Senior Backend Engineer at Acme ✨"
    assert read.message.sender == "Jane Doe <jane.doe@acme.com>" and read.message.message_id == "<CAF=interview-8c1d2e3f@mail.acme.com>"
    assert read.message.received_at == dt.datetime(2026, 11, 23, 17, 15, tzinfo=dt.UTC)
    assert "https://acme.zoom.us/j/81234567890?pwd=Q2xhc3NpYw" in read.message.body  # quoted-printable "=3D" decoded
    assert "%PDF" not in read.message.body and "JVBERi" not in read.message.body  # the attachment is not read
    assert read.message.body.count("Thank you for applying") == 1  # one alternative, not both
    assert interviews.detect(read.message)["scheduledAt"] == "2026-12-08T14:30:00-08:00"


def test_multipart_alternative_prefers_the_plain_text() -> None:
    built = message()
    built.set_content("Plain: interview on December 8 at 2pm PT.")
    built.add_alternative("<p>HTML: interview on <b>December 9</b></p>", subtype="html")
    assert parse(built).message.body == "Plain: interview on December 8 at 2pm PT."


def test_an_html_only_message_is_read_as_text_with_its_links() -> None:
    built = message()
    built.set_content(
        "<html><head><style>.x{color:red}</style><script>var when='never';</script></head><body>"
        "<p>Hi&nbsp;Ada,</p><div>We&rsquo;d like to invite you to an interview on <b>Tuesday, December&nbsp;8</b> at 2:30&nbsp;PM PST.</div>"
        '<p><a href="https://meet.google.com/abc-defg-hij">Join the call</a><br>Jane &amp; the Acme team</p></body></html>',
        subtype="html",
    )
    body = parse(built).message.body
    assert "color:red" not in body and "never" not in body and "<" not in body
    assert "Hi Ada," in body and "We’d like to invite you to an interview on Tuesday, December 8 at 2:30 PM PST." in body
    assert "Join the call (https://meet.google.com/abc-defg-hij)" in body and "Jane & the Acme team" in body
    assert interviews.detect(parse(built).message)["meetingLink"] == "https://meet.google.com/abc-defg-hij"


@pytest.mark.parametrize("encoding", ["quoted-printable", "base64", "8bit"])
@pytest.mark.parametrize("charset", ["utf-8", "iso-8859-1", "windows-1252"])
def test_transfer_encodings_and_charsets_are_decoded(encoding: str, charset: str) -> None:
    text = (
        "Entretien prévu le mardi 8 décembre à 14h30 — à bientôt !"
        if charset != "iso-8859-1"
        else "Entretien prévu le mardi 8 décembre à 14h30, à bientôt !"
    )
    built = message()
    built.set_content(text.encode(charset), maintype="text", subtype="plain", cte=encoding, params={"charset": charset})
    assert parse(built).message.body == text


def test_encoded_word_headers_in_several_charsets() -> None:
    japanese = base64.b64encode("面接のご案内".encode("shift_jis"))
    raw = (
        b"From: =?iso-8859-1?q?J=F6rg_M=FCller?= <joerg@beispiel.de>\r\n"
        b"To: " + ADDRESS.encode() + b"\r\n"
        b"Subject: =?utf-8?b?RWlubGFkdW5nIHp1bSBWb3JzdGVsbHVuZ3NnZXNwcsOkY2g=?= =?shift_jis?b?" + japanese + b"?=\r\n"
        b"Date: Mon, 23 Nov 2026 18:15:00 +0100\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nHallo\r\n"
    )
    read = parse(raw)
    assert read.message.subject == "Einladung zum Vorstellungsgespräch面接のご案内"
    assert read.message.sender == "Jörg Müller <joerg@beispiel.de>"


def test_a_forward_attached_inside_a_forward_is_read_as_forwarded_blocks() -> None:
    original = message(
        From="Alice Smith <alice@umbrella.io>", To="sam@hotmail.com", Subject="Phone screen with Umbrella", Date="Sun, 22 Nov 2026 18:45:00 -0800"
    )
    original.set_content("Could we do a quick phone screen on 12/08 at 10am ET for the Product Designer role?")
    middle = message(From="Sam <sam@hotmail.com>", To="sam.lee@gmail.com", Subject="Fwd: Phone screen with Umbrella")
    middle.set_content("forwarding to myself")
    middle.add_attachment(original)
    outer = message(From="Sam Lee <sam.lee@gmail.com>", Subject="Fwd: Fwd: Phone screen with Umbrella")
    outer.set_content("see below")
    outer.add_attachment(middle)
    read = parse(outer)
    body = read.message.body
    assert body.index("From: Sam <sam@hotmail.com>") < body.index("From: Alice Smith <alice@umbrella.io>") < body.index("quick phone screen")
    answer = interviews.detect(read.message)
    assert answer["company"] == "Umbrella" and answer["scheduledAt"] == "2026-12-08T10:00:00-05:00" and answer["isInterview"] is True


def test_attachments_are_not_read() -> None:
    built = message()
    built.set_content(INVITATION)
    built.add_attachment(b"Interview on January 1 at 1am UTC", maintype="text", subtype="plain", filename="old-notes.txt")
    built.add_attachment(base64.b64decode("iVBORw0KGgo="), maintype="image", subtype="png", filename="logo.png")
    assert parse(built).message.body == INVITATION


def test_an_unknown_charset_is_read_as_utf8_rather_than_lost() -> None:
    raw = b"From: a@acme.com\r\nSubject: Interview\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\nInterview on December 8 \xe2\x80\x93 2pm PT\r\n"
    assert parse(raw).message.body == "Interview on December 8 – 2pm PT"


def test_a_text_over_2_mb_is_refused_and_a_message_over_the_cap_not_read() -> None:
    built = message()
    built.set_content("x" * (mail.MAX_BODY_BYTES + 1), cte="base64")
    with pytest.raises(mail.TooLarge, match="text is"):
        parse(built)
    with pytest.raises(mail.TooLarge, match="at most"):
        mail.parse(b" " * (mail.MAX_MESSAGE_BYTES + 1), received_at=ARRIVED)
    # Large attachments alone do not make a message too large to read.
    fine = message()
    fine.set_content(INVITATION)
    fine.add_attachment(b"\0" * (3 * 1024 * 1024), maintype="application", subtype="pdf", filename="brochure.pdf")
    assert parse(fine).message.body == INVITATION


@pytest.mark.parametrize(
    "headers",
    [
        {"To": ADDRESS},
        {"To": "ada@example.com", "Cc": f"Interviews <{ADDRESS.upper()}>"},
        {"To": "ada@example.com", "Delivered-To": ADDRESS},
        {"To": "ada@example.com", "X-Original-To": ADDRESS},
        {"To": "ada@example.com", "X-Forwarded-To": ADDRESS},
        {
            "To": "ada@example.com",
            "Received": f"from mail.acme.com by inbound-smtp.us-east-1.amazonaws.com with SMTP id abc for {ADDRESS}; Mon, 23 Nov 2026 17:15:03 +0000",
        },
        {"To": "ada@example.com", "X-SES-Recipients": ADDRESS},
    ],
)
def test_the_forwarding_address_is_found_in_any_recipient_header(headers: dict[str, str]) -> None:
    built = message(**headers)
    built.set_content(INVITATION)
    assert parse(built).tokens == (TOKEN,)


def test_no_forwarding_address_means_no_token() -> None:
    built = message(To="ada@example.com", Cc="interviews@mail.zik.localhost, xinterviews+abcdefgh@x.io")
    built.set_content(INVITATION)
    assert parse(built).tokens == ()


def test_what_is_not_mail_is_malformed() -> None:
    for raw in (b"This is a test message from Amazon SES.", b"", b"\x00\x01\x02" * 100):
        with pytest.raises(mail.Malformed):
            parse(raw)


def test_a_missing_or_unreadable_date_falls_back_to_the_arrival() -> None:
    for date in ("", "the day after yesterday", "Fri, 23 Nov 3001 09:15:00 +0000"):
        built = message(Date=date)
        built.set_content(INVITATION)
        assert parse(built).message.received_at == ARRIVED


def test_the_address_has_the_mail_domain_or_the_local_one() -> None:
    assert mail.address(TOKEN, "Mail.Example.com ") == f"interviews+{TOKEN}@mail.example.com"
    assert mail.address(TOKEN, "") == ADDRESS and mail.address(TOKEN, None) == ADDRESS


@pytest.mark.parametrize("markup", ["<div" * 50_000, "a < b and <b>bold</b>", "<p>x" + "<" * 100_000])
def test_markup_from_strangers_reads_as_text_whatever_it_holds(markup: str) -> None:
    # Stray "<" are text: html.parser would otherwise rescan to the end at each (minutes for a large mail).
    text = mail.html_text(markup)
    assert isinstance(text, str) and ("bold" in text if "bold" in markup else True)
    assert mail.html_text("x < y, and <a href='https://zoom.us/j/1'>join</a>") == "x < y, and join (https://zoom.us/j/1)"
