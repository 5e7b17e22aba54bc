"""Interview invitations read from e-mail (the rules of career.email): realistic invitations and mails that
are not one, in several languages and odd Unicode; times with their zones, across DST changes and year
ends; the company behind mail hosts, ATS and calendar senders; the match to an application; the AI task's
schema, prompt and refinement."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from zik import ai, clock, schemas
from zik.career import email_ai, interviews
from zik.career.interviews import Email, detect
from zik.errors import InvalidRequest

TASK = ai.get("career.email")
PACIFIC = ZoneInfo("America/Los_Angeles")
# Monday 23 November 2026, 09:15 in California: when most of these mails arrive.
MONDAY = dt.datetime(2026, 11, 23, 9, 15, tzinfo=PACIFIC)


def read(subject: str, sender: str, body: str, received: dt.datetime = MONDAY) -> dict[str, Any]:
    answer = detect(Email(subject, sender, body, received))
    assert TASK.validate(answer) == answer  # every reading is a valid answer of the task
    return answer


def at(answer: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(answer["scheduledAt"])


# -- invitations ------------------------------------------------------------------------------------------------
INVITATIONS = [
    pytest.param(
        "Interview invitation - Senior Backend Engineer at Acme",
        "Jane Doe <jane.doe@acme.com>",
        "Hi Sam,\n\nThank you for applying to Acme Corp. We'd like to invite you to a technical interview on Tuesday, "
        "December 8 at 2:30 PM PST.\n\nJoin Zoom Meeting\nhttps://acme.zoom.us/j/81234567890?pwd=abc\n\nBest,\nJane\nRecruiter, Acme Corp",
        {
            "company": "Acme Corp",
            "role": "Senior Backend Engineer",
            "scheduledAt": "2026-12-08T14:30:00-08:00",
            "timezone": "America/Los_Angeles",
            "meetingLink": "https://acme.zoom.us/j/81234567890?pwd=abc",
            "kind": "technical",
            "location": None,
        },
        id="english-zoom-pst",
    ),
    pytest.param(
        "Invitation: Interview with Hooli @ Tue Dec 8, 2026 2:30pm - 3:30pm (PST) (sam@gmail.com)",
        "Google Calendar <calendar-notification@google.com>",
        "Interview with Hooli\nJoining info\nJoin with Google Meet\nmeet.google.com/abc-defg-hij\nhttps://meet.google.com/abc-defg-hij\n"
        "When: Tue Dec 8, 2026 2:30pm – 3:30pm (Pacific Time - Los Angeles)\nOrganizer: recruiting@hooli.xyz",
        {
            "company": "Hooli",
            "scheduledAt": "2026-12-08T14:30:00-08:00",
            "timezone": "America/Los_Angeles",
            "meetingLink": "https://meet.google.com/abc-defg-hij",
        },
        id="google-calendar-invitation",
    ),
    pytest.param(
        "Fwd: Fwd: Phone screen with Umbrella",
        "Sam Lee <sam.lee@gmail.com>",
        "see below!\n\n---------- Forwarded message ---------\nFrom: Sam Lee <sam@hotmail.com>\nDate: Mon, Nov 23, 2026 at 8:02 AM\n"
        "Subject: Fwd: Phone screen with Umbrella\nTo: <sam.lee@gmail.com>\n\n\n---------- Forwarded message ---------\n"
        "From: Alice Smith <alice@umbrella.io>\nDate: Sun, Nov 22, 2026 at 6:45 PM\nSubject: Phone screen with Umbrella\n"
        "To: Sam Lee <sam@hotmail.com>\n\nHi Sam,\nCould we do a quick phone screen on 12/08 at 10am ET for the Product Designer "
        "role? Please share your availability if that doesn't work.\nAlice",
        {
            "company": "Umbrella",
            "role": "Product Designer",
            "scheduledAt": "2026-12-08T10:00:00-05:00",
            "timezone": "America/New_York",
            "kind": "phone_screen",
        },
        id="nested-gmail-forwards",
    ),
    pytest.param(
        "Your onsite interview with Globex",
        "Globex Recruiting <no-reply@us.greenhouse-mail.io>",
        "Hello Sam,\n\nWe're excited to invite you to an onsite interview for the Data Engineer position at Globex.\n"
        "Date: 2026-12-08 14:30 CET\nLocation: Globex HQ, Friedrichstraße 68, 10117 Berlin\n\nPlease bring an ID for the front desk.",
        {
            "company": "Globex",
            "role": "Data Engineer",
            "scheduledAt": "2026-12-08T14:30:00+01:00",
            "timezone": "Europe/Berlin",
            "kind": "onsite",
            "location": "Globex HQ, Friedrichstraße 68, 10117 Berlin",
            "meetingLink": None,
        },
        id="greenhouse-sender-onsite-cet",
    ),
    pytest.param(
        "Einladung zum Vorstellungsgespräch",
        "Personalabteilung <karriere@beispiel-gmbh.de>",
        "Sehr geehrter Herr Müller,\n\nvielen Dank für Ihre Bewerbung. Wir möchten Sie gerne zu einem Vorstellungsgespräch für die "
        "Stelle als Backend-Entwickler einladen: am Dienstag, 8. Dezember um 14:30 Uhr in unserem Büro.\n\nAdresse: Hauptstraße 5, 10115 Berlin",
        {
            "company": "Beispiel",
            "role": "Backend-Entwickler",
            "scheduledAt": "2026-12-08T14:30:00-08:00",
            "timezone": None,
            "kind": "onsite",
            "location": "Hauptstraße 5, 10115 Berlin",
        },
        id="german-no-zone-uses-the-senders-offset",
    ),
    pytest.param(
        "Entretien - Développeur Python chez Qonto",
        "Équipe RH <rh@qonto.com>",
        "Bonjour,\n\nNous souhaitons vous inviter à un entretien technique le mardi 8 décembre à 14h30 (heure de Paris) sur Google Meet : "
        "https://meet.google.com/xyz-abcd-efg\n\nCordialement",
        {
            "company": "Qonto",
            "role": "Développeur Python",
            "scheduledAt": "2026-12-08T14:30:00+01:00",
            "timezone": "Europe/Paris",
            "meetingLink": "https://meet.google.com/xyz-abcd-efg",
            "kind": "technical",
        },
        id="french-meet",
    ),
    pytest.param(
        "面接のご案内（バックエンドエンジニア）",
        "採用担当 <saiyo@example.co.jp>",
        "山田様\n\nこの度はご応募いただき誠にありがとうございます。一次面接を１２月８日（火）１４：３０（JST）より実施したく、ご案内いたします。\n"
        "会場：東京都千代田区丸の内１－１－１",
        {"company": "Example", "scheduledAt": "2026-12-08T14:30:00+09:00", "timezone": "Asia/Tokyo"},
        id="japanese-full-width-digits",
    ),
    pytest.param(
        "Inter\u200bview invitation \u2013 Product Manager",
        "\u202eHR\u202c <talent@initech.com>",
        "Hi Sam \U0001f44b\n\nWe\u2019d like to invite you to a final\u00a0round interview on Thursday, December 10 at 4:00\u00a0PM EST.\n"
        "Microsoft Teams: https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0\n\n\u2014 The Initech Talent Team",
        {
            "company": "Initech",
            "role": "Product Manager",
            "scheduledAt": "2026-12-10T16:00:00-05:00",
            "timezone": "America/New_York",
            "kind": "final",
            "meetingLink": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0",
        },
        id="odd-unicode-teams",
    ),
    pytest.param(
        "Confirmed: Interview with Wayne Enterprises",
        "Calendly <notifications@calendly.com>",
        "Hi Sam,\n\nYour interview with Wayne Enterprises is confirmed for tomorrow at 3pm Eastern Time.\n"
        "Event type: 30 Minute Recruiter Call\nLocation: https://zoom.us/j/99887766554",
        {
            "company": "Wayne Enterprises",
            "scheduledAt": "2026-11-24T15:00:00-05:00",
            "timezone": "America/New_York",
            "meetingLink": "https://zoom.us/j/99887766554",
            "kind": "phone_screen",
        },
        id="calendly-tomorrow",
    ),
    pytest.param(
        "Entrevista - Ingeniero de Datos",
        "Reclutamiento <talento@cabify.com>",
        "Hola Sam:\n\nTe invitamos a una entrevista el martes 8 de diciembre a las 10:00 (hora de Madrid) en nuestras oficinas, "
        "Calle de Pradillo 42, Madrid.",
        {"company": "Cabify", "scheduledAt": "2026-12-08T10:00:00+01:00", "timezone": "Europe/Madrid", "kind": "onsite"},
        id="spanish",
    ),
    pytest.param(
        "Next steps: phone screen",
        "Priya Raman <priya@stark.io>",
        "Hi Sam, thanks for your patience! I'd love to set up a phone screen for the Machine Learning Engineer role at Stark "
        "next Tuesday at 11am PT. Does that work?",
        {"company": "Stark", "role": "Machine Learning Engineer", "scheduledAt": "2026-12-01T11:00:00-08:00", "kind": "phone_screen"},
        id="next-tuesday-said-on-a-monday",
    ),
    pytest.param(
        "Rescheduling your interview",
        "Tom <tom@soylent.com>",
        "Hi Sam, unfortunately our hiring manager is travelling, so I need to reschedule your interview for the Backend Engineer role "
        "to Thursday, December 10 at 4pm CT. Apologies for the change!",
        {"company": "Soylent", "scheduledAt": "2026-12-10T16:00:00-06:00", "timezone": "America/Chicago"},
        id="rescheduled-is-still-an-invitation",
    ),
    pytest.param(
        "Schedule your interview with Stripe",
        "Stripe Recruiting <no-reply@greenhouse.io>",
        "Hi Sam,\n\nThanks again for your interest in the Backend Engineer, Payments role at Stripe! Please use the link below to "
        "select a time for your technical interview.\n\nhttps://app.greenhouse.io/scheduling/abc123\n\nThe Stripe Recruiting Team",
        {"company": "Stripe", "role": "Backend Engineer, Payments", "scheduledAt": None, "timezone": None, "kind": "technical", "meetingLink": None},
        id="pick-a-time-link-without-a-time",
    ),
    pytest.param(
        "FW: Interview Confirmation",
        "Sam Lee <sam@contoso.com>",
        "\n\nFrom: Jane Doe [mailto:jane@fabrikam.com]\nSent: Monday, November 23, 2026 9:15 AM\nTo: Sam Lee\n"
        "Subject: Interview Confirmation - Cloud Architect\n\nDear Sam,\nThis confirms your interview on Thursday, December 3, 2026 "
        "from 1:00 PM to 2:00 PM Central Time at our office, 500 Main St, Dallas, TX.\nRegards,\nJane Doe\nFabrikam HR",
        {
            "company": "Fabrikam",
            "role": "Cloud Architect",
            "scheduledAt": "2026-12-03T13:00:00-06:00",
            "timezone": "America/Chicago",
            "location": "500 Main St, Dallas, TX",
            "kind": "onsite",
        },
        id="outlook-forward",
    ),
]


@pytest.mark.parametrize(("subject", "sender", "body", "expected"), INVITATIONS)
def test_invitations_are_read_with_their_details(subject: str, sender: str, body: str, expected: dict[str, Any]) -> None:
    received = MONDAY
    answer = read(subject, sender, body, received)
    assert answer["isInterview"] is True and answer["confidence"] >= interviews.CONFIDENT, answer
    assert {key: answer[key] for key in expected} == expected


NOT_INVITATIONS = [
    pytest.param(
        "Update on your application",
        "Initech Recruiting <jobs@initech.com>",
        "Hi Sam, thank you for interviewing with us for the Data Analyst position. Unfortunately, we have decided to move forward "
        "with other candidates whose experience more closely matches our needs.",
        id="rejection",
    ),
    pytest.param(
        "Ihre Bewerbung",
        "Beispiel GmbH <karriere@beispiel-gmbh.de>",
        "Sehr geehrter Herr Müller, leider müssen wir Ihnen mitteilen, dass wir Ihre Bewerbung nicht weiter berücksichtigen können.",
        id="german-rejection",
    ),
    pytest.param(
        "Thank you for applying to Globex!",
        "Globex Careers <no-reply@greenhouse.io>",
        "Thank you for applying to Globex! We have received your application for Data Engineer. Our team will review it, and if "
        "selected for an interview, we'll be in touch within two weeks.",
        id="thanks-for-applying",
    ),
    pytest.param(
        "Software Engineer at Acme and 24 more jobs for you",
        "LinkedIn Job Alerts <jobalerts-noreply@linkedin.com>",
        "Your job alert for software engineer in San Francisco\n25 new jobs match your preferences.\nAcme - Software Engineer - "
        "Easy Apply\nInterview tips: how to prepare for a technical interview\nUnsubscribe | Manage job alerts",
        id="job-alert",
    ),
    pytest.param(
        "Top 10 interview questions for 2027",
        "The Muse <newsletter@themuse.com>",
        "This week: how to ace your next interview, salary negotiation on Tuesday, December 8 at 2pm ET (live webinar). "
        "View this email in your browser. Unsubscribe.",
        id="newsletter-with-a-webinar-time",
    ),
    pytest.param(
        "Your offer from Hooli",
        "Gavin <gavin@hooli.xyz>",
        "Hi Sam, thank you for interviewing with us. We are pleased to extend an offer for the Senior Engineer role. "
        "Your offer letter is attached; please sign by Friday, December 4.",
        id="offer",
    ),
    pytest.param(
        "Thanks for coming in",
        "Priya <priya@stark.io>",
        "Hi Sam, thank you for taking the time to interview with us last Tuesday. The team enjoyed meeting you; we'll be in touch soon.",
        id="after-the-interview",
    ),
    pytest.param(
        "選考結果のご連絡",
        "採用担当 <saiyo@example.co.jp>",
        "山田様\n\n先日は面接にお越しいただきありがとうございました。慎重に検討いたしました結果、残念ながら今回はお見送りとさせていただくことになりました。",
        id="japanese-rejection",
    ),
]


@pytest.mark.parametrize(("subject", "sender", "body"), NOT_INVITATIONS)
def test_mails_that_are_not_invitations_are_not(subject: str, sender: str, body: str) -> None:
    answer = read(subject, sender, body)
    assert answer["isInterview"] is False and answer["confidence"] < 0.25, answer


# -- times and zones -------------------------------------------------------------------------------------------
def when(text: str, received: dt.datetime = MONDAY) -> dict[str, Any]:
    return read("Interview invitation", "Recruiter <jobs@acme.com>", f"We'd like to invite you to an interview {text}.", received)


@pytest.mark.parametrize(
    ("said", "scheduled", "zone"),
    [
        # "PST" written in July is Pacific time, whose offset that day is -07:00.
        ("on Tuesday, July 14 at 10:00 AM PST", "2027-07-14T10:00:00-07:00", "America/Los_Angeles"),
        # 2:30 on the morning clocks go forward does not exist: it is 3:30 once they have.
        ("on Sunday, March 14, 2027 at 2:30 AM PT", "2027-03-14T03:30:00-07:00", "America/Los_Angeles"),
        # 1:30 on the morning clocks go back happens twice: the first.
        ("on Sunday, November 7, 2027 at 1:30 AM ET", "2027-11-07T01:30:00-04:00", "America/New_York"),
        ("am Sonntag, 28. März 2027 um 2:30 Uhr MEZ", "2027-03-28T03:30:00+02:00", "Europe/Berlin"),
        ("on 2026-12-08T14:30:00+01:00", "2026-12-08T14:30:00+01:00", "Etc/GMT-1"),
        ("on December 8 at 14:00 UTC+05:30", "2026-12-08T14:00:00+05:30", None),
        ("on December 8 at 14:00 GMT+2", "2026-12-08T14:00:00+02:00", "Etc/GMT-2"),
        ("on December 8 at 9:00 GMT", "2026-12-08T09:00:00+00:00", "UTC"),
        ("on December 8 at 10:00 (Europe/Lisbon)", "2026-12-08T10:00:00+00:00", "Europe/Lisbon"),
        ("on 08/12/2026 à 10h00 CET", "2026-12-08T10:00:00+01:00", "Europe/Berlin"),
        ("on 12/08/2026 at 10:00 AM EST", "2026-12-08T10:00:00-05:00", "America/New_York"),
        ("on December 8 from 11:30 - 12:30 PM ET", "2026-12-08T11:30:00-05:00", "America/New_York"),
        ("on December 8 at noon AEDT", "2026-12-08T12:00:00+11:00", "Australia/Sydney"),
        ("on Dec. 8th at 4 in the afternoon CT", "2026-12-08T16:00:00-06:00", "America/Chicago"),
    ],
)
def test_times_are_read_in_their_zone(said: str, scheduled: str, zone: str | None) -> None:
    answer = when(said)
    assert (answer["scheduledAt"], answer["timezone"]) == (scheduled, zone), answer


def test_a_time_without_a_zone_keeps_the_offset_the_mail_was_sent_with() -> None:
    tokyo = dt.datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    answer = when("on December 8 at 15:00", tokyo)
    assert answer["scheduledAt"] == "2026-12-08T15:00:00+09:00" and answer["timezone"] is None


def test_a_zone_said_once_for_the_whole_mail_counts() -> None:
    answer = read(
        "Interview",
        "a@acme.com",
        "We'd like to invite you to an interview.\nAll times below are Eastern Time.\n\nWednesday, December 9: 1:00 - 2:00 PM with Dana",
    )
    assert answer["scheduledAt"] == "2026-12-09T13:00:00-05:00" and answer["timezone"] == "America/New_York"


def test_the_date_a_mail_was_sent_or_a_past_time_is_not_the_interview() -> None:
    answer = read(
        "Re: Final round",
        "Dana <dana@acme.com>",
        "Thanks for meeting the team on November 20 at 2pm. We'd like to invite you to the final round on December 3 at 11am PT.\n\n"
        "On Mon, Nov 23, 2026 at 8:01 AM Sam Lee <sam@gmail.com> wrote:\n> Thank you!",
    )
    assert answer["scheduledAt"] == "2026-12-03T11:00:00-08:00" and answer["kind"] == "final"


# -- relative dates near a year's end, with the clock moved ---------------------------------------------------
def test_a_date_without_a_year_read_at_the_years_end_is_next_years() -> None:
    with time_machine.travel(dt.datetime(2026, 12, 30, 17, 0, tzinfo=ZoneInfo("America/New_York")), tick=False):
        received = clock.now()
        assert when("on January 4 at 10am EST", received)["scheduledAt"] == "2027-01-04T10:00:00-05:00"
        # The weekday said with it agrees with that year.
        assert when("on Monday, January 4 at 10am EST", received)["scheduledAt"] == "2027-01-04T10:00:00-05:00"
        # A date of this year still ahead stays in it.
        assert when("on December 31 at 9am EST", received)["scheduledAt"] == "2026-12-31T09:00:00-05:00"


def test_tomorrow_is_the_day_after_the_day_it_is_in_the_interviews_zone() -> None:
    # 10:00 UTC on 31 December: still the 31st in California, already 1 January on Kiritimati (UTC+14).
    with time_machine.travel(dt.datetime(2026, 12, 31, 10, 0, tzinfo=dt.UTC), tick=False):
        received = clock.now()
        assert when("tomorrow at 10am (Pacific/Kiritimati)", received)["scheduledAt"] == "2027-01-02T10:00:00+14:00"
        assert when("tomorrow at 10am PT", received)["scheduledAt"] == "2027-01-01T10:00:00-08:00"
        assert when("on Friday at 9:30 AM PT", received)["scheduledAt"] == "2027-01-01T09:30:00-08:00"


def test_a_day_just_past_is_a_reference_and_a_wrong_weekday_a_slip() -> None:
    late_december = dt.datetime(2026, 12, 28, 12, 0, tzinfo=PACIFIC)
    # 8 December, twenty days ago, is not next year's 8 December: the mail names no time to come.
    assert when("on December 8 at 10am PT", late_december)["scheduledAt"] is None
    # 8 December 2026 is a Tuesday: "Wednesday, December 8" read in November is that date, not 2027's Wednesday.
    assert when("on Wednesday, December 8 at 10am PT")["scheduledAt"] == "2026-12-08T10:00:00-08:00"


# -- who ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sender", "body", "company"),
    [
        ("Jane <jane@mail.acme.co.uk>", "We'd like to invite you to an interview on Monday.", "Acme"),
        ("Acme Talent <acme@myworkday.com>", "We would like to schedule an interview with you.", "Acme"),
        ("Lever <no-reply@hire.lever.co>", "The Wonka Industries hiring team would like to invite you to an interview.", "Wonka Industries"),
        (
            "Recruiter <recruiter.jobs@gmail.com>",
            "I'm a recruiter at Vandelay Industries and would like to invite you to an interview.",
            "Vandelay Industries",
        ),
        ("Bob <bob@outlook.com>", "Hi, would you like to schedule a call?", None),
    ],
)
def test_the_company_comes_from_the_sender_or_the_text(sender: str, body: str, company: str | None) -> None:
    assert read("Interview", sender, body)["company"] == company


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("Acme Corp", "ACME", True),
        ("Acme, Inc.", "acme", True),
        ("Société Générale", "Societe Generale SA", True),
        ("AcmeCorp", "Acme Corp.", True),
        ("Acme", "Acme Robotics", True),
        ("Acme", "Globex", False),
        ("Meta", "Metabase", False),
    ],
)
def test_company_names_compare_as_a_person_would(a: str, b: str, alike: bool) -> None:
    score = interviews.company_similarity(interviews.company_key(a), interviews.company_key(b))
    assert (score >= interviews.MATCHING) is alike, score


# -- matching an application ----------------------------------------------------------------------------------
APPLICATIONS = [
    {"applicationId": "backend", "company": "ACME", "role": "Senior Backend Engineer", "appliedAt": "2026-11-01T10:00:00.000Z"},
    {"applicationId": "design", "company": "Acme Corp", "role": "Product Designer", "appliedAt": "2026-11-10T10:00:00.000Z"},
    {"applicationId": "globex", "company": "Globex", "role": "Backend Engineer", "appliedAt": "2026-11-12T10:00:00.000Z"},
]


def match(subject: str, sender: str, body: str, applications: list[dict[str, Any]] = APPLICATIONS) -> str | None:
    message = Email(subject, sender, body, MONDAY)
    found, _ = interviews.match(detect(message), message, applications)
    return found["applicationId"] if found else None


def test_the_invitation_matches_the_application_by_company_and_role() -> None:
    body = "We'd like to invite you to interview for the Senior Backend Engineer role at Acme on December 8 at 2pm PT."
    assert match("Interview at Acme", "Jane <jane@acme.com>", body) == "backend"
    assert match("Interview at Acme", "Jane <jane@acme.com>", "We'd like to invite you to interview for the Product Designer role.") == "design"
    # The company by its domain alone, the role by its words in the mail.
    assert match("Chat?", "Jane <jane@acme.com>", "Would you like to schedule a call about the designer opening?") == "design"
    assert match("Interview", "Jane <jane@initech.com>", body.replace("Acme", "Initech")) is None


def test_of_two_applications_alike_the_one_applied_to_last_is_moved() -> None:
    twins = [{**APPLICATIONS[0], "applicationId": "older"}, {**APPLICATIONS[0], "applicationId": "newer", "appliedAt": "2026-11-20T10:00:00.000Z"}]
    assert match("Interview", "jane@acme.com", "We'd like to invite you to an interview for the Senior Backend Engineer role.", twins) == "newer"


def test_the_applications_own_url_names_its_company() -> None:
    applications = [{"applicationId": "x", "company": "The Umbrella Group of Companies", "role": "Engineer", "url": "https://jobs.umbrella.io/123"}]
    assert match("Interview", "Alice <alice@umbrella.io>", "We'd like to invite you to an interview for the Engineer role.", applications) == "x"


# -- identity of a message, arrival time --------------------------------------------------------------------------
def test_a_message_is_identified_by_its_message_id_else_its_content() -> None:
    one = Email("s", "a@b.c", "body", MONDAY, message_id="<ABC@mail.acme.com>")
    assert interviews.message_digest(one) == interviews.message_digest(Email("other", "x@y.z", "else", MONDAY, message_id=" <abc@mail.acme.com> "))
    plain = Email("s", "a@b.c", "body", MONDAY)
    assert interviews.message_digest(plain) == interviews.message_digest(Email("s", "A@B.C", "body", MONDAY))
    assert interviews.message_digest(plain) != interviews.message_digest(Email("s", "a@b.c", "body!", MONDAY))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-23T09:15:00-08:00", "2026-11-23T17:15:00+00:00"),
        ("2026-11-23T17:15:00Z", "2026-11-23T17:15:00+00:00"),
        ("2026-11-23T17:15:00", "2026-11-23T17:15:00+00:00"),
        ("Mon, 23 Nov 2026 09:15:00 -0800", "2026-11-23T17:15:00+00:00"),
    ],
)
def test_the_arrival_time_is_iso_or_a_mail_date(raw: str, expected: str) -> None:
    assert interviews.parse_received_at(raw).astimezone(dt.UTC).isoformat() == expected


@pytest.mark.parametrize("raw", ["next tuesday", "", "9999-99-99", "0001-01-01T00:00:00Z", 20261123, "2026-11-23T09:15:00-08:00" * 4])
def test_an_unreadable_arrival_time_is_a_400_naming_it(raw: Any) -> None:
    with pytest.raises(InvalidRequest) as refused:
        interviews.parse_received_at(raw)
    assert refused.value.field == "receivedAt"


# -- robustness ---------------------------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300), st.text(max_size=80), st.text(max_size=2000))
def test_any_text_gets_a_valid_reading(subject: str, sender: str, body: str) -> None:
    read(subject, sender, body)


@pytest.mark.parametrize(
    "hostile",
    [
        "12/" * 200_000,
        "at 1:00 " * 100_000,
        "Dec 1 " * 150_000,
        "x" * 2_000_000,
        "interview with A B C D E " * 50_000,
        "\u200b" * 500_000 + "interview",
    ],
)
def test_a_huge_or_hostile_body_is_read_quickly(hostile: str) -> None:
    started = time.perf_counter()
    read("Interview", "a@acme.com", hostile)
    assert time.perf_counter() - started < 5


# -- the AI task ----------------------------------------------------------------------------------------------------
def test_the_task_is_registered_with_its_prompt_and_schema() -> None:
    message = Email(
        "Interview invitation", "Jane <jane@acme.com>", "We'd like to invite you to an interview on Tuesday, December 8 at 2:30 PM PST.", MONDAY
    )
    rules = detect(message)
    prompt = TASK.render(email_ai.prompt_data(message, rules))
    assert prompt.version == "career.email.v1" and "Tuesday, December 8 at 2:30 PM PST" in prompt.user
    assert "2026-11-23T09:15:00-08:00" in prompt.system and '"scheduledAt": "2026-12-08T14:30:00-08:00"' in prompt.user
    assert email_ai.offline(email_ai.prompt_data(message, rules)) == rules
    assert schemas.validate("ai", "career.email", rules) == rules


def test_the_ai_decides_what_the_rules_are_unsure_of_and_fills_what_they_missed() -> None:
    unsure = {
        "isInterview": False,
        "company": None,
        "role": None,
        "scheduledAt": None,
        "timezone": None,
        "location": None,
        "meetingLink": None,
        "kind": None,
        "confidence": 0.4,
    }
    answer = {
        **unsure,
        "isInterview": True,
        "confidence": 0.9,
        "company": "Acme",
        "scheduledAt": "2026-12-08T14:30:00-08:00",
        "timezone": "America/Los_Angeles",
        "kind": "onsite",
    }
    refined = email_ai.refine(unsure, answer)
    assert refined["isInterview"] is True and refined["confidence"] == 0.9 and refined["company"] == "Acme"
    assert refined["scheduledAt"] == "2026-12-08T14:30:00-08:00" and refined["timezone"] == "America/Los_Angeles" and refined["kind"] == "onsite"


def test_the_ai_never_overrides_what_the_rules_are_sure_of_nor_brings_what_does_not_parse() -> None:
    sure = {
        "isInterview": True,
        "company": "Acme Corp",
        "role": None,
        "scheduledAt": None,
        "timezone": None,
        "location": None,
        "meetingLink": None,
        "kind": "technical",
        "confidence": 0.9,
    }
    answer = {
        **sure,
        "isInterview": False,
        "confidence": 0.1,
        "company": "Greenhouse",
        "kind": "final",
        "scheduledAt": "2026-12-08T14:30:00",
        "timezone": "Mars/Olympus",
        "meetingLink": "javascript:alert(1)",
    }
    refined = email_ai.refine(sure, answer)
    assert refined["isInterview"] is True and refined["confidence"] == 0.9 and refined["company"] == "Acme Corp" and refined["kind"] == "technical"
    assert refined["scheduledAt"] is None and refined["meetingLink"] is None
    answer["scheduledAt"] = "2026-12-08T14:30:00+01:00"
    assert email_ai.refine(sure, answer)["timezone"] is None  # a zone that does not exist is none


def test_without_the_ai_the_rules_reading_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise ai.AIUnavailable("career.email", [])

    monkeypatch.setattr(ai, "run", unavailable)
    message = Email("Quick chat?", "Bob <bob@outlook.com>", "Hi, would you like to schedule a call?", MONDAY)
    rules = detect(message)
    assert email_ai.worth_asking(rules)
    assert email_ai.reading(message, None) == rules


def test_a_calendar_or_ats_sender_says_nothing_of_the_company() -> None:
    google = [{"applicationId": "google", "company": "Google", "role": "Software Engineer"}]
    invite = "Interview with Hooli\nWhen: Tue Dec 8, 2026 2:30pm – 3:30pm (Pacific Time - Los Angeles)\nhttps://meet.google.com/abc-defg-hij"
    assert (
        match("Invitation: Interview with Hooli @ Tue Dec 8, 2026 2:30pm (PST)", "Google Calendar <calendar-notification@google.com>", invite, google)
        is None
    )
    lever = [{"applicationId": "lever", "company": "Lever", "role": "Software Engineer"}]
    assert (
        match("Interview", "Wonka <no-reply@hire.lever.co>", "The Wonka Industries hiring team would like to invite you to an interview.", lever)
        is None
    )
