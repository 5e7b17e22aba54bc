"""An interview invitation read from an e-mail: whether it is one, and the company, role, time (with its
timezone), place or link, kind and confidence; and which of the user's applications it is about. Pure: the
offline rules of the AI task ``career.email`` (``zik.career.email_ai``), which always run (the AI may
refine them).

Reading an e-mail:
- The text is normalised first (NFKC, so full-width digits and ligatures read as ASCII; zero-width and
  bidirectional controls dropped; quote markers ``>`` removed) and only its first ANALYSED_CHARS are read:
  an invitation says what it is near the top, and a long quoted thread must not cost the reading.
- Forwarded header blocks ("---------- Forwarded message ---------", "From: ... Subject: ...") and reply
  attributions ("On Mon, Nov 23, 2026 at 9:15 AM Jane wrote:") are set aside: their dates are when the mail
  was sent, not when the interview is, and their From is the original sender (the company), the outer From
  being the user who forwarded it.
- Whether it is an invitation is a score: the words of an interview (in English, German, French, Spanish,
  Italian, Dutch, Polish, Japanese, Chinese, Korean) and of an invitation ("we'd like to invite you",
  "please share your availability", "your interview is confirmed for"), a time, a meeting link, a kind;
  against rejections, "thanks for applying" acknowledgements, job alerts and newsletters, offers, and
  follow-ups of an interview that already happened. ``confidence`` is how sure the reading is that the mail
  is an invitation (0 to 1); it is one from CONFIDENT on.
- The time: dates ("Tuesday, December 8", "Dec 8th, 2026", "8. Dezember", "8 de diciembre", "2026-12-08",
  "12/08", "08.12.2026", "12月8日", "tomorrow", "next Tuesday") paired with the nearest time ("2:30 PM",
  "14:30", "10am", "14h30", "14 Uhr", "noon"; a range "2:30 - 3:30 PM" starts at 2:30 PM) and the zone said
  next to it, else anywhere in the mail ("all times are Eastern"). A date without a year is the next one on
  or after the day the mail was received, so "January 4" read on December 30 is next year's; one of the
  last RECENT_PAST days is the past ("we met on November 20"), and a weekday that disagrees with the date
  is a slip that does not move it a year. Relative days count from the day the mail was received, in the
  interview's zone. A time already past when the mail arrived is a reference, not the interview.
- Zone abbreviations name their region's zone, whose offset on that day is the one used: "PST" in July is
  Pacific time (-07:00), as people write it year-round. A wall time that does not exist (the hour skipped
  when clocks go forward) is read as the clock reads it after the jump; one that happens twice (clocks go
  back) is the first. Numeric dates are month first in the Americas (and with no zone), day first elsewhere
  and always with dots ("08.12.2026"). With no zone in the mail, the time is the offset the mail was sent
  with (receivedAt's) and ``timezone`` is null.
- The company: the original sender's domain (not a mail host such as gmail.com, nor an applicant-tracking
  system such as Greenhouse, Lever or Workday, which send for every company), written as the mail writes it;
  else what the text says ("interview with Acme", "the Acme hiring team", "bei Acme"); else an ATS sender's
  display name ("Acme Recruiting" -> Acme).
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import email.utils
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zik.career import vocabulary
from zik.errors import InvalidRequest

ANALYSED_CHARS = 100_000
CONFIDENT = 0.5
# How near (in characters) a date must be to its time, before or after it, and a zone after the time.
DATE_BEFORE_TIME = 45
DATE_AFTER_TIME = 30
ZONE_AFTER_TIME = 40
# A time this much before the mail arrived is still the interview ("your interview today at 2pm", read at
# 2:10pm); earlier ones are references to the past.
PAST_TOLERANCE = dt.timedelta(hours=2)
FURTHEST = dt.timedelta(days=400)
# A day and month without a year this recent before the mail arrived are the past, not next year.
RECENT_PAST = dt.timedelta(days=90)
# How sure a match to an application must be (company, then role) to move it.
MATCHING = 0.6
KINDS = ("phone_screen", "technical", "onsite", "final")

# -- what mail hosts and applicant-tracking systems are -------------------------------------------------
MAIL_HOSTS = frozenset(
    """gmail.com googlemail.com outlook.com hotmail.com hotmail.co.uk live.com msn.com yahoo.com yahoo.co.uk
    ymail.com icloud.com me.com mac.com aol.com proton.me protonmail.com pm.me gmx.de gmx.net gmx.com web.de
    t-online.de freenet.de yandex.ru yandex.com mail.ru qq.com 163.com 126.com zoho.com fastmail.com
    hey.com tutanota.com orange.fr free.fr laposte.net libero.it naver.com rediffmail.com""".split()
)
ATS_DOMAINS = frozenset(
    """greenhouse.io greenhouse-mail.io lever.co hire.lever.co myworkday.com workday.com
    smartrecruiters.com ashbyhq.com icims.com jobvite.com taleo.net bamboohr.com workable.com
    workablemail.com recruitee.com breezy.hr jazzhr.com applytojob.com successfactors.com
    successfactors.eu teamtailor.com teamtailor-mail.com personio.de personio.com calendly.com
    goodtime.io gem.com linkedin.com indeed.com indeedemail.com ziprecruiter.com glassdoor.com hired.com
    wellfound.com angel.co otta.com welcometothejungle.com join.com stepstone.de xing.com
    rippling.com pinpointhq.com comeet.co dover.com paradox.ai hirevue.com modernhire.com""".split()
)
_TWO_PART_SUFFIXES = frozenset("co.uk ac.uk org.uk com.au net.au co.jp co.in com.br com.mx co.nz co.za com.sg com.hk com.cn co.kr com.tr".split())
_GENERIC_LOCAL_PARTS = frozenset(
    "noreply no-reply donotreply do-not-reply notifications notification mailer jobs careers talent recruiting hr".split()
)
_SENDER_NOISE = re.compile(
    r"\s*(?:\bvia\b.*$|[-|,]\s*$)|\b(?:hiring|recruiting|recruitment|talent(?: acquisition)?|people|careers?|jobs|hr|"
    r"notifications?|no-?reply|team|the)\b",
    re.IGNORECASE,
)
_LEGAL_SUFFIXES = frozenset(
    """inc incorporated corp corporation co company llc llp ltd limited gmbh mbh ag kg se sa sas sarl sl srl spa
    bv nv plc pty pte oy ab as asa aps kk group holding holdings technologies technology tech labs software
    systems solutions the""".split()
)

# -- words of an invitation and of what is not one -------------------------------------------------------
_INTERVIEW = re.compile(
    r"\binterview(?:s|ed|ing)?\b|\bphone[- ]screen|\bscreening (?:call|interview)|\btechnical (?:round|screen|call)|"
    r"\bon-?site\b|\bsuperday\b|vorstellungsgespr[aä]ch|bewerbungsgespr[aä]ch|kennenlerngespr[aä]ch|\bentretien|"
    r"\bentrevista|\bcolloquio|\bsollicitatiegesprek|\bintervju|\brozmow[aęy] kwalifikacyjn|面接|面试|면접",
    re.IGNORECASE,
)
_INVITATION = re.compile(
    r"\binvit(?:e|es|ed|ing)\b(?: you)?(?: to| for)|^(?:updated )?invitation\b|\binvitation (?:to|for)\b|"
    r"(?:would|'d) (?:like|love) to (?:invite|schedule|set up|arrange|book|speak|talk|chat|meet|move forward|proceed)|"
    r"\bschedul(?:e|ing) (?:a|an|your|the|some) (?:call|interview|time|chat|meeting|conversation|video)|"
    r"\b(?:share|send|provide|let (?:me|us) know) (?:your|some|a few) (?:availability|available times)|"
    r"\bwhat (?:is|does) your availability|\b(?:book|select|pick|choose) (?:a|your) (?:time|slot)\b|"
    r"\bcalendar invit|\bis (?:scheduled|confirmed|booked) for\b|\bhas been (?:scheduled|confirmed|booked)\b|"
    r"\bconfirm(?:s|ing|ed)? (?:your|the|our) (?:interview|call|meeting)|\binterview confirmation\b|\bre-?schedul|"
    r"\blook(?:ing)? forward to (?:speaking|meeting|talking|chatting|seeing)|"
    r"\bmove (?:you )?forward (?:to|with) (?:the|a|an) (?:next|interview|technical|final|onsite)|"
    r"einladen|einladung|laden (?:wir )?sie|vous inviter|vous convier|\binvitation à|\bconvocation|"
    r"invitar(?:te|le|la)|le invitamos|te invitamos|\binvitarti|ご案内|ご都合|日程|邀请|安排",
    re.IGNORECASE | re.MULTILINE,
)
_CONVERSATION = re.compile(r"\b(?:call|chat|conversation|meeting|video call|zoom|teams)\b", re.IGNORECASE)
_REJECTION = re.compile(
    r"regret to inform|(?:not|won't|will not|no longer|unable to) (?:be )?(?:moving|move|proceed|proceeding|progressing|"
    r"going|continue|continuing) (?:forward )?with (?:your|you|the|this)|"
    r"decided (?:not to (?:move|proceed|pursue|progress)|to (?:move|proceed|pursue|go)(?: forward)? with (?:other|another|a different))|"
    r"\bother candidates\b|position has (?:been|now been) filled|(?:have|has) not been selected|"
    r"will not be (?:offering|extending|proceeding)|unable to offer you|not (?:a|the right) (?:fit|match) (?:for|at) this time|"
    r"leider.{0,80}(?:absagen|nicht (?:weiter )?berücksichtigen|gegen sie|anderen? (?:kandidat|bewerber))|"
    r"\babsage\b|malheureusement.{0,80}(?:pas (?:été )?retenu|ne (?:pas )?donner suite|autres? candidat)|"
    r"lamentablemente|lamentamos (?:informar|comunicar)|no (?:ha|has) sido seleccionad|お見送り|残念ながら|很遗憾|不合适",
    re.IGNORECASE | re.DOTALL,
)
_UNFORTUNATELY = re.compile(r"\bunfortunately\b|\bleider\b|\bmalheureusement\b", re.IGNORECASE)
_ACKNOWLEDGEMENT = re.compile(
    r"thank(?:s| you) for (?:applying|your application|your interest|submitting)|"
    r"\b(?:we(?:'ve| have) )?received your application|application (?:has been |was )?received|"
    r"we (?:will|'ll) (?:carefully )?review your (?:application|profile|resume)|will be in touch if|"
    r"\bif (?:your|you are|you're) (?:qualifications|profile|experience|background|selected|shortlisted)|"
    r"\b(?:if|should you be) (?:selected|shortlisted)|"
    r"application confirmation|eingangsbestätigung|vielen dank für ihre bewerbung|merci (?:pour|de) votre candidature|"
    r"gracias por (?:tu|su) (?:postulación|solicitud|interés)|ご応募いただき",
    re.IGNORECASE,
)
_NEWSLETTER = re.compile(
    r"\bunsubscribe\b|\bjob alerts?\b|\bjobs? (?:you may|you might|for you|matching|recommended)|recommended jobs|"
    r"\bnew jobs\b|\bnewsletter\b|\bweekly digest\b|view (?:this email )?in (?:your )?browser|"
    r"manage (?:your )?(?:job )?(?:alerts|preferences|subscriptions?)|email preferences|"
    r"\bneue jobs\b|stellenangebote für sie|offres d'emploi|ofertas de empleo",
    re.IGNORECASE,
)
_BULK_SENDER = re.compile(r"alert|digest|newsletter|news@|marketing|updates@|jobs-noreply", re.IGNORECASE)
_OFFER = re.compile(
    r"pleased to (?:extend|offer)|\boffer letter\b|\bjob offer\b|offer of employment|\bextend (?:you )?an offer|"
    r"happy to offer you",
    re.IGNORECASE,
)
_FOLLOW_UP = re.compile(
    r"thank(?:s| you) for (?:taking the time to )?(?:interview(?:ing)?|meeting|speaking|chatting)|"
    r"following (?:up on )?(?:your|our) (?:recent )?(?:interview|conversation|call)|after (?:your|the|our) (?:interview|call)",
    re.IGNORECASE,
)

# -- kinds, links, places ---------------------------------------------------------------------------------
_KIND_PATTERNS = (
    ("final", re.compile(r"\bfinal[- ](?:round|interview|stage)|\blast round\b|finalrunde|entretien final|entrevista final", re.IGNORECASE)),
    (
        "onsite",
        re.compile(
            r"\bon-?site\b|\bin[- ]person\b|\bat our (?:office|offices|hq|headquarters)\b|\bvisit (?:us|our office)|\bsuperday\b|"
            r"\boffice visit\b|\bvor ort\b|\bin unserem büro|\bin unseren (?:räumlichkeiten|büros)|\bsur place\b|\bdans nos locaux|"
            r"\bpresencial\b|\ben nuestras oficinas",
            re.IGNORECASE,
        ),
    ),
    (
        "technical",
        re.compile(
            r"\btechnical\b|\bcoding\b|\bpair[- ]programming\b|\bsystem design\b|\blive[- ]coding\b|\bwhiteboard\b|"
            r"\btake[- ]home\b|hackerrank|codility|coderpad|\balgorithm|\btechnisch|\btechnique\b|\btécnic",
            re.IGNORECASE,
        ),
    ),
    (
        "phone_screen",
        re.compile(
            r"\bphone (?:screen|interview|call|screening)|\bscreening call\b|\brecruiter (?:call|screen|chat)|"
            r"\bintro(?:ductory)? (?:call|chat)|\binitial (?:call|chat|screen|conversation|phone)|\btelephone interview|"
            r"telefoninterview|telefonisches|entretien téléphonique|entrevista telefónica|\bby phone\b|\bover the phone\b",
            re.IGNORECASE,
        ),
    ),
)
_URL = re.compile(r"https?://[^\s<>\"'()\[\]]{3,2000}", re.IGNORECASE)
_MEETING_HOST = re.compile(
    r"^(?:[\w-]+\.)*(?:zoom\.us|zoom\.com|zoomgov\.com|meet\.google\.com|teams\.microsoft\.com|teams\.live\.com|"
    r"webex\.com|whereby\.com|bluejeans\.com|gotomeeting\.com|meet\.goto\.com|chime\.aws|meet\.jit\.si|around\.co)$",
    re.IGNORECASE,
)
_PLACE_LABEL = re.compile(
    r"^[ \t*_]*(?:location|address|venue|where|place|ort|adresse|lieu|dirección|direccion|ubicación|indirizzo)"
    r"[ \t*_]*[:：][ \t]*(?P<place>[^\n]{3,200})",
    re.IGNORECASE | re.MULTILINE,
)
_PLACE_PHRASE = re.compile(
    r"\b(?:on-?site|in[- ]person) (?:at|in) (?P<place>[^\n.;]{3,160})|"
    r"\bat our (?:office|offices|headquarters|hq)(?:,)? (?:at|in|on) (?P<office>[^\n;]{3,160})",
    re.IGNORECASE,
)
_STREET = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][\w.'-]*\s+){1,4}(?:St|Street|Ave|Avenue|Blvd|Boulevard|Rd|Road|Dr|Drive|Way|Lane|Ln|Pl|Place|"
    r"Sq|Square|Ct|Court|Pkwy|Parkway|Terrace|Plaza)\b\.?(?:,[ \t]*[^\n,]{2,40}){0,3}|"
    r"\b[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|platz|allee|gasse|damm|ring)\s+\d{1,4}[a-z]?(?:,\s*\d{4,5}\s+[A-ZÄÖÜ][\wäöüß-]+)?"
)
_VIDEO_WORDS = re.compile(r"^(?:zoom|google meet|microsoft teams|teams|webex|video(?: call)?|online|virtual|remote)\b", re.IGNORECASE)

# -- roles and companies said in the text ----------------------------------------------------------------
_ROLE_WORDS = re.compile(
    r"\b(?:engineer|developer|programmer|manager|designer|analyst|scientist|architect|consultant|specialist|"
    r"administrator|lead|director|intern|coordinator|associate|representative|officer|technician|writer|researcher|"
    r"recruiter|accountant|product owner|sre|devops|head|vp|president|editor|marketer|strategist|advisor|"
    r"entwickler|ingenieur|berater|leiter|ingénieur|développeur|chef|desarrollador|ingeniero|gerente|analista)\w*",
    re.IGNORECASE,
)
_ROLE_TEXT = r"[^\n:;!?()\[\]<>\"]{2,90}?"
_ROLE_END = r"(?=\s+(?:at|with|@|for|bei|chez|en|in|on)\b|\s*[,.!;:(\n|–—]|\s+-\s|\s*$)"
_ROLE_PATTERNS = (
    re.compile(
        r"^[ \t*_]*(?:position|role|job(?: title)?|opening|title|stelle|poste|puesto)[ \t*_]*[:：][ \t]*(?P<role>[^\n]{2,90})",
        re.IGNORECASE | re.MULTILINE,
    ),
    re.compile(rf"\bfor (?:the|our|a|an) (?:position|role|opening|post) (?:of|as) (?:an? )?(?P<role>{_ROLE_TEXT}){_ROLE_END}", re.IGNORECASE),
    re.compile(rf"\b(?:for|as) (?:the|our|a|an|your) (?P<role>{_ROLE_TEXT}) (?:position|role|opening|job|vacancy)\b", re.IGNORECASE),
    re.compile(
        rf"\b(?:interview|application|applying|applied|candidacy) (?:for|to) (?:the |our |a |an )?(?P<role>{_ROLE_TEXT})(?: (?:position|role|opening))?{_ROLE_END}",
        re.IGNORECASE,
    ),
    re.compile(rf"\b(?:als|stelle als|position als|poste d[e']|puesto de) ?(?P<role>{_ROLE_TEXT}){_ROLE_END}", re.IGNORECASE),
    re.compile(rf"\bfor (?:the |our |a |an )?(?P<role>{_ROLE_TEXT})(?: (?:position|role))?(?=\s*(?:[,.!;:\n]|$))", re.IGNORECASE),
)
_SUBJECT_ROLE_AT = re.compile(
    r"(?:^|[-–—:|]\s*)(?P<role>[^-–—:|@\n]{3,80}?)\s+(?:at|@|with|bei|chez)\s+(?P<company>[^-–—:|\n(]{2,60}?)\s*(?:[-–—:|(]|$)",
    re.IGNORECASE,
)
# What comes before a company's name; "interview with" is as often followed by a person's, so it counts less.
# "Interview invitation - Product Manager", "Entretien : Développeur Python (CDI)"
_SUBJECT_ROLE = re.compile(
    r"(?:interview|invitation|entretien|entrevista|einladung|vorstellungsgespräch|phone screen)[^-–—:|\n]{0,30}[-–—:|]\s*"
    r"(?P<role>[^-–—:|\n(\[]{3,80}?)\s*(?:[-–—:|(\[]|$)",
    re.IGNORECASE,
)
_COMPANY_AFTER = re.compile(
    r"\b(?:(?P<weak>interview(?:ing)? with|entretien avec|entrevista con)|interview(?:ing)? at|"
    r"(?:position|role|opportunity|opening|job|career|careers|team|work|working|recruiter|recruiting|"
    r"talent acquisition|here) at|interest in(?: joining)?|thank(?:s| you) for applying (?:to|at)|"
    r"applying (?:to|at)|applied (?:to|at)|application (?:to|at|with)|on behalf of|join(?:ing)?|"
    r"gespräch bei|(?:karriere|bewerbung|stelle) bei|chez|au sein de|entrevista en|puesto en)\s+(?:the\s+)?",
    re.IGNORECASE,
)
_COMPANY_BEFORE = re.compile(
    r"(?:'s|’s)?\s+(?:hiring|recruiting|recruitment|talent|people|careers?)(?:\s+(?:team|acquisition))?\b",
    re.IGNORECASE,
)
_ATS_NAMES = frozenset(address.split(".")[-2] for address in ATS_DOMAINS)
_CAPITALISED_WORD = re.compile(r"[^\W_][\w&'’.+-]*")
_NAME_JOINERS = frozenset({"&", "and", "of", "de", "du", "la", "le", "für", "y", "et"})
_NOT_COMPANIES = frozenset(
    """the our we you your i this that these please thank thanks hi hello dear best regards kind team us a an it
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december today tomorrow interview""".split()
)
# Names of the tools an invitation mentions, never the company that invites.
_TOOL_NAMES = re.compile(
    r"^(?:zoom|google (?:meet|calendar|hangouts)|microsoft teams|teams|webex|calendly|linkedin|greenhouse|lever|workday|"
    r"ashby|goodtime|outlook|gmail)\b",
    re.IGNORECASE,
)

# -- dates and times ---------------------------------------------------------------------------------------
_MONTHS = {
    **{m: i for i, m in enumerate("january february march april may june july august september october november december".split(), 1)},
    **{m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)},
    "sept": 9,
    **{m: i for i, m in enumerate("januar februar märz april mai juni juli august september oktober november dezember".split(), 1)},
    "jänner": 1,
    "maerz": 3,
    "okt": 10,
    "dez": 12,
    **{m: i for i, m in enumerate("janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(), 1)},
    "fevrier": 2,
    "aout": 8,
    "decembre": 12,
    **{m: i for i, m in enumerate("enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(), 1)},
    "setiembre": 9,
}
_WEEKDAYS = {
    **{d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())},
    **{d: i for i, d in enumerate("mon tue wed thu fri sat sun".split())},
    "tues": 1,
    "thur": 3,
    "thurs": 3,
    **{d: i for i, d in enumerate("montag dienstag mittwoch donnerstag freitag samstag sonntag".split())},
    **{d: i for i, d in enumerate("lundi mardi mercredi jeudi vendredi samedi dimanche".split())},
    **{d: i for i, d in enumerate("lunes martes miércoles jueves viernes sábado domingo".split())},
    "miercoles": 2,
    "sabado": 5,
}
_FULL_WEEKDAYS = {d: i for d, i in _WEEKDAYS.items() if len(d) > 4 or d in ("lunes",)}


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_MONTH = _alternation(_MONTHS)
_WEEKDAY = _alternation(_WEEKDAYS)
_FULL_WEEKDAY = _alternation(_FULL_WEEKDAYS)
_DATE_PATTERNS = (  # most specific first: a later one never takes the place of an earlier one's match
    ("iso", re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)")),
    (
        "named",
        re.compile(
            rf"(?:(?P<wd>{_WEEKDAY})\.?,?\s+(?:the\s+)?)?(?<![\w])(?P<mon>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:]\d)(?!\d)"
            rf"(?:,?\s+(?P<year>\d{{4}})(?![\d:]))?",
            re.IGNORECASE,
        ),
    ),
    (
        "named",
        re.compile(
            rf"(?:(?P<wd>{_WEEKDAY})\.?,?\s+(?:(?:the|le|el|den|der)\s+)?)?(?<![\w:.])(?P<day>\d{{1,2}})(?:\.|st|nd|rd|th|er)?\s+"
            rf"(?:of\s+|de\s+)?(?P<mon>{_MONTH})(?![\w])\.?(?:,?\s+(?:de\s+)?(?P<year>\d{{4}})(?![\d:]))?",
            re.IGNORECASE,
        ),
    ),
    ("cjk", re.compile(r"(?:(?P<year>\d{4})\s*年\s*)?(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日")),
    ("numeric", re.compile(r"(?<![\d/.:-])(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?:(?P=sep)(?P<year>\d{4}|\d{2}))?(?P<dot>\.)?(?![\d/:])")),
    (
        "relative",
        re.compile(
            r"(?<!guten )(?<!la )(?<!esta )(?<![\w])(?P<rel>day after tomorrow|tomorrow|today|tonight|übermorgen|morgen|heute|"
            r"après-demain|demain|aujourd'hui|pasado mañana|mañana|hoy)(?![\w])",
            re.IGNORECASE,
        ),
    ),
    (
        "weekday",
        re.compile(
            rf"(?<![\w])(?:(?P<which>this|next|coming|nächsten|nächste|kommenden|próximo|este)\s+)?(?P<wd>{_FULL_WEEKDAY})(?![\w])(?P<after>\s+prochain)?",
            re.IGNORECASE,
        ),
    ),
)
_MERIDIEM = r"(?P<ampm>[ap]\.?\s?m\.?)(?![a-z])"
_TIME_PATTERNS = (
    re.compile(rf"(?<![\d:/.])(?P<h>\d{{1,2}}):(?P<m>[0-5]\d)(?::[0-5]\d(?:\.\d+)?)?(?!\d)(?:\s*{_MERIDIEM})?(?:\s*(?:uhr|h)\b)?", re.IGNORECASE),
    re.compile(rf"(?<![\d:/.])(?P<h>\d{{1,2}})\s*{_MERIDIEM}", re.IGNORECASE),
    re.compile(r"(?<![\d:/.])(?P<h>\d{1,2})h(?P<m>[0-5]\d)?(?![\w])", re.IGNORECASE),
    re.compile(r"(?<![\d:/.])(?P<h>\d{1,2})(?:\.(?P<m>[0-5]\d))?\s*uhr\b", re.IGNORECASE),
    re.compile(r"(?P<pm>午後|下午)?\s*(?P<h>\d{1,2})\s*[時时点](?:\s*(?P<m>\d{1,2})\s*分)?"),
    re.compile(r"(?<![\w])(?P<noon>noon|midday|mittag)(?![\w])", re.IGNORECASE),
    re.compile(r"(?<![\d:/.])(?P<h>\d{1,2})(?=\s*(?:o'?clock|in the (?:morning|afternoon|evening)))", re.IGNORECASE),
)
_RANGE = re.compile(r"\s*(?:-|–|—|to|until|till|bis|à|a|~|〜)\s*", re.IGNORECASE)
_SPOKEN_IN = re.compile(
    r"\s*(?:in the |de la |del )?(?P<part>morning|afternoon|evening|tarde|mañana|noche|nachmittags|abends|vormittags|morgens)", re.IGNORECASE
)

# Zones as mails name them: abbreviations (upper case only: "ET" is a zone, "et" is French for "and"),
# names, offsets. Each names its region's zone.
_ABBREVIATIONS = {
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "PT": "America/Los_Angeles",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "MT": "America/Denver",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "CT": "America/Chicago",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "ET": "America/New_York",
    "AKST": "America/Anchorage",
    "AKDT": "America/Anchorage",
    "HST": "Pacific/Honolulu",
    "AST": "America/Halifax",
    "ADT": "America/Halifax",
    "NST": "America/St_Johns",
    "NDT": "America/St_Johns",
    "GMT": "UTC",
    "UTC": "UTC",
    "BST": "Europe/London",
    "IST": "Asia/Kolkata",
    "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin",
    "MEZ": "Europe/Berlin",
    "MESZ": "Europe/Berlin",
    "EET": "Europe/Athens",
    "EEST": "Europe/Athens",
    "WET": "Europe/Lisbon",
    "WEST": "Europe/Lisbon",
    "MSK": "Europe/Moscow",
    "GST": "Asia/Dubai",
    "PKT": "Asia/Karachi",
    "ICT": "Asia/Bangkok",
    "WIB": "Asia/Jakarta",
    "SGT": "Asia/Singapore",
    "HKT": "Asia/Hong_Kong",
    "PHT": "Asia/Manila",
    "JST": "Asia/Tokyo",
    "KST": "Asia/Seoul",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
    "ACST": "Australia/Adelaide",
    "ACDT": "Australia/Adelaide",
    "AWST": "Australia/Perth",
    "NZST": "Pacific/Auckland",
    "NZDT": "Pacific/Auckland",
    "BRT": "America/Sao_Paulo",
    "ART": "America/Argentina/Buenos_Aires",
    "SAST": "Africa/Johannesburg",
    "WAT": "Africa/Lagos",
    "EAT": "Africa/Nairobi",
    "CAT": "Africa/Maputo",
}
_ZONE_NAMES = (
    (r"pacific(?: standard| daylight)? time|pazifische zeit", "America/Los_Angeles"),
    (r"mountain(?: standard| daylight)? time", "America/Denver"),
    (r"central european(?: standard| summer)? time|mitteleuropäische (?:sommer)?zeit|heure d'europe centrale", "Europe/Berlin"),
    (r"heure de paris|paris time", "Europe/Paris"),
    (r"hora (?:de madrid|peninsular)", "Europe/Madrid"),
    (r"central(?: standard| daylight)? time", "America/Chicago"),
    (r"eastern european(?: standard| summer)? time", "Europe/Athens"),
    (r"eastern(?: standard| daylight)? time", "America/New_York"),
    (r"british summer time|uk time|london time", "Europe/London"),
    (r"india(?:n)? standard time", "Asia/Kolkata"),
    (r"japan standard time", "Asia/Tokyo"),
    (r"australian eastern(?: standard| daylight)? time|sydney time", "Australia/Sydney"),
    (r"coordinated universal time|greenwich mean time", "UTC"),
)
_ZONE = re.compile(
    r"(?P<iana>\b(?:Africa|America|Asia|Atlantic|Australia|Europe|Indian|Pacific)/[A-Z][A-Za-z_]+(?:/[A-Z][A-Za-z_]+)?\b)|"
    r"(?P<offset>\b(?:UTC|GMT)\s*(?P<sign>[+\-−])\s*(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?(?!\d))|"
    + "|".join(f"(?P<name{i}>(?i:{pattern}))" for i, (pattern, _) in enumerate(_ZONE_NAMES))
    + rf"|(?<![A-Za-z])(?P<abbr>{_alternation(_ABBREVIATIONS)})(?![A-Za-z])"
)
_ATTACHED_OFFSET = re.compile(r"\s?(?P<z>Z|[+\-−](?P<oh>\d{2}):?(?P<om>\d{2}))(?![\w])")

# -- the text's pieces that are not the message ------------------------------------------------------------
_FORWARD_MARK = re.compile(
    r"^[ \t>*-]*(?:-{2,}\s*)?(?:forwarded message|original message|begin forwarded message|weitergeleitete nachricht|"
    r"ursprüngliche nachricht|message transféré|message d'origine|mensaje reenviado|mensaje original)\b.*$",
    re.IGNORECASE,
)
_HEADER_LINE = re.compile(
    r"^[ \t*]*(?P<key>from|to|cc|bcc|date|sent|subject|reply-to|von|an|datum|gesendet|betreff|de|à|envoyé|objet|para|enviado|asunto|fecha)"
    r"[ \t*]*:[ \t*]*(?P<value>.*)$",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"^[ \t]*(?:on|am|le|el)\b[^\n]{4,200}?(?:wrote|schrieb|a écrit|escribió)[ \t]*:[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u00ad"), None)
_SPACES = re.compile(r"[^\S\n]+")
_QUOTE_MARKERS = re.compile(r"^(?:[ \t]*>)+[ \t]?", re.MULTILINE)


@dataclass(frozen=True)
class Email:
    """What the reading needs of an e-mail (an API body, or a parsed MIME message)."""

    subject: str
    sender: str
    body: str
    received_at: dt.datetime  # aware
    message_id: str | None = None


@dataclass
class _Text:
    """An e-mail's text, prepared: the message itself (headers of forwards and attributions taken out), and
    the original senders and subjects those forwards named."""

    subject: str
    body: str
    senders: list[tuple[str, str]]
    subjects: list[str]


def clean(text: str) -> str:
    """NFKC, without invisible controls, spaces folded (newlines kept)."""
    text = unicodedata.normalize("NFKC", text or "").translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("’", "'").replace("‘", "'")
    return _SPACES.sub(" ", text)


def parse_received_at(raw: Any, *, field: str = "receivedAt") -> dt.datetime:
    """An ISO 8601 instant (a date-time with an offset, or Z; one without is UTC) or an RFC 5322 date as a
    mail's Date header writes it."""
    refused = InvalidRequest(f"{field} must be an ISO 8601 date-time such as 2026-11-23T09:15:00-08:00", field=field)
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 64:
        raise refused
    text = raw.strip()
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            raise refused from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    if not 1900 <= moment.year <= 2999:
        raise refused
    return moment


def message_digest(message: Email) -> str:
    """What identifies one message: its Message-ID, else its sender, subject, time and body."""
    if message.message_id and message.message_id.strip("<> \t"):
        basis = "id\n" + message.message_id.strip().strip("<>").strip().lower()
    else:
        basis = "\n".join(("content", message.sender.strip().lower(), message.subject.strip(), message.received_at.isoformat(), message.body))
    return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:40]


# -- the reading -------------------------------------------------------------------------------------------
def detect(message: Email) -> dict[str, Any]:
    """The reading of ``message``: ``{isInterview, company, role, scheduledAt, timezone, location,
    meetingLink, kind, confidence}`` (the answer schema of ``career.email``)."""
    text = _prepare(message)
    both = f"{text.subject}\n{text.body}"
    scheduled = _schedule(text, message.received_at)
    link = _meeting_link(both)
    kind = _kind(both)
    company = _company(text, message.sender)
    role = _role(text)
    confidence = _confidence(text, message.sender, scheduled is not None, link is not None, kind is not None, company is not None)
    moment, zone_name = scheduled or (None, None)
    return {
        "isInterview": confidence >= CONFIDENT,
        "company": company[:100] if company else None,
        "role": role[:100] if role else None,
        "scheduledAt": moment.isoformat() if moment else None,
        "timezone": zone_name,
        "location": _place(text.body, link),
        "meetingLink": link,
        "kind": kind,
        "confidence": confidence,
    }


def _prepare(message: Email) -> _Text:
    subject = clean(message.subject)[:1000].replace("\n", " ").strip()
    body = _QUOTE_MARKERS.sub("", clean(message.body[: ANALYSED_CHARS * 2])[:ANALYSED_CHARS])
    senders: list[tuple[str, str]] = []
    subjects: list[str] = []
    kept: list[str] = []
    lines = body.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if _FORWARD_MARK.match(line) or (_HEADER_LINE.match(line) and _starts_header_block(lines, index)):
            index = _read_header_block(lines, index + (1 if _FORWARD_MARK.match(line) else 0), senders, subjects)
            continue
        kept.append(line)
        index += 1
    message_text = _ATTRIBUTION.sub("", "\n".join(kept))
    return _Text(subject, message_text, senders, subjects)


def _starts_header_block(lines: list[str], index: int) -> bool:
    """A From: line followed, within a few lines, by a Subject: line: a forwarded message's headers."""
    first = _HEADER_LINE.match(lines[index])
    if not first or first.group("key").lower() not in ("from", "von", "de"):
        return False
    for line in lines[index + 1 : index + 7]:
        header = _HEADER_LINE.match(line)
        if header and header.group("key").lower() in ("subject", "betreff", "objet", "asunto"):
            return True
    return False


def _read_header_block(lines: list[str], index: int, senders: list[tuple[str, str]], subjects: list[str]) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    while index < len(lines):
        header = _HEADER_LINE.match(lines[index])
        if not header:
            break
        key, value = header.group("key").lower(), header.group("value").strip()
        if key in ("from", "von", "de") and value:
            name, address = email.utils.parseaddr(value.replace("mailto:", ""))
            if "@" not in address:  # Outlook writes "Jane Doe [mailto:jane@acme.com]" or the name alone
                found = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", value)
                address = found.group(0) if found else ""
                name = value.split("[")[0].split("<")[0].strip(' "')
            senders.append((name, address.lower()))
        elif key in ("subject", "betreff", "objet", "asunto") and value:
            subjects.append(value)
        index += 1
    return index


# -- is it an invitation -----------------------------------------------------------------------------------
def _confidence(text: _Text, sender: str, timed: bool, linked: bool, kinded: bool, named: bool) -> float:
    subjects = " \n".join([text.subject, *text.subjects])
    body = text.body
    both = f"{subjects}\n{body}"
    invited = bool(_INVITATION.search(subjects) or _INVITATION.search(body))
    score = 0.0
    if _INTERVIEW.search(subjects):
        score += 0.35
    elif _INTERVIEW.search(body):
        score += 0.3
    elif invited and _CONVERSATION.search(both):
        score += 0.1  # "we'd like to schedule a call": a first conversation is an interview by another name
    if invited:
        score += 0.3
    score += 0.15 * timed + 0.1 * linked + 0.05 * kinded + 0.05 * named
    if _REJECTION.search(both):
        score -= 0.8
    elif _UNFORTUNATELY.search(both) and not re.search(r"re-?schedul|verschieben|reporter|reprogramar", both, re.IGNORECASE):
        score -= 0.25
    if _ACKNOWLEDGEMENT.search(both):
        score -= 0.1 if invited else 0.45
    if _NEWSLETTER.search(both) or any(_BULK_SENDER.search(address) for _, address in _original_senders(text, sender)):
        score -= 0.4 if invited and timed else 0.6
    if _OFFER.search(both):
        score -= 0.5
    if _FOLLOW_UP.search(both):
        score -= 0.2 if invited else 0.35
    return round(min(1.0, max(0.0, score)), 2)


def _kind(text: str) -> str | None:
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(text):
            return kind
    return None


def _meeting_link(text: str) -> str | None:
    for found in _URL.finditer(text):
        url = found.group(0).rstrip(".,;:!?'\">*")
        host = url.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].split("@")[-1].split(":")[0]
        if _MEETING_HOST.match(host):
            return url
    return None


def _place(body: str, link: str | None) -> str | None:
    for pattern in (_PLACE_LABEL, _PLACE_PHRASE):
        for found in pattern.finditer(body):
            place = next((value for value in found.groupdict().values() if value), "")
            place = _URL.sub("", place).strip(" \t*_-–—,.")
            if len(place) >= 3 and not (link and _VIDEO_WORDS.match(place) and len(place) < 40):
                return place[:200]
    street = _STREET.search(body)
    return street.group(0).strip(" ,.")[:200] if street else None


# -- who and what ------------------------------------------------------------------------------------------
def _role(text: _Text) -> str | None:
    for subject in (text.subject, *text.subjects):
        for pattern in (_SUBJECT_ROLE_AT, _SUBJECT_ROLE):
            found = pattern.search(subject)
            role = _tidy_role(found.group("role")) if found else None
            if role:
                return role
    for pattern in _ROLE_PATTERNS:
        for source in (text.subject, *text.subjects, text.body[:20_000]):
            for found in pattern.finditer(source):
                role = _tidy_role(found.group("role"))
                if role:
                    return role
    return None


_CLAUSE = re.compile(
    r"\s+(?:which|that|who|we|you|i|it|will|would|has|have|is|was|so|if|please|and we|and i|einladen|zu|am|um|"
    r"le|el|qui|que)\b.*$",
    re.IGNORECASE,
)


def _tidy_role(raw: str) -> str | None:
    raw = _CLAUSE.sub("", raw)
    raw = re.sub(r"\s+(?:and|or|und|et|y)\s*$", "", raw, flags=re.IGNORECASE)
    role = re.sub(
        r"^(?:interview(?: invitation| request)?|invitation|einladung|re|fwd?|wg|tr)\s*(?:[:\-–—|]\s*)?", "", raw.strip(), flags=re.IGNORECASE
    )
    role = re.sub(r"^.*\b(?:in|for|as) (?:the|a|an|our|your)\s+", "", role, flags=re.IGNORECASE)  # "interest in the X role"
    role = re.sub(r"^(?:the|our|a|an|your|for|position|role)\s+", "", role, flags=re.IGNORECASE).strip(" \t*_-–—,.'\"")
    words = role.split()
    if not 1 <= len(words) <= 8 or len(role) > 90:
        return None
    if not (_ROLE_WORDS.search(role) or vocabulary.role_of(role)):
        return None
    return role


def _company(text: _Text, outer_sender: str) -> str | None:
    body = f"{text.subject}\n" + "\n".join(text.subjects) + f"\n{text.body[:20_000]}"
    mentions = _company_mentions(body)
    ats_names: list[str] = []
    # The innermost forwarded sender is the original one; the outer From is whoever forwarded it.
    for name, address in _original_senders(text, outer_sender):
        domain = address.rpartition("@")[2].lower().strip(">. ")
        if not domain:
            continue
        if _is_tool(address):
            local = address.partition("@")[0].lower()
            tidy = _tidy_sender_name(name)
            if tidy:
                ats_names.append(tidy)
            if domain.endswith("myworkday.com") and local not in _GENERIC_LOCAL_PARTS:
                ats_names.append(local)  # Workday sends as <tenant>@myworkday.com
            continue
        if domain in MAIL_HOSTS or _registrable(domain) in MAIL_HOSTS:
            continue
        label = _domain_label(domain)
        if label:
            return _as_written(label, mentions, name)
    if mentions:
        return mentions[0]
    for name in ats_names:
        written = _as_written(name, mentions, name)
        if written:
            return written
    return None


def _original_senders(text: _Text, outer_sender: str) -> list[tuple[str, str]]:
    """Who wrote the message: the senders of its forwarded blocks, innermost (the original) first; the
    outer From only when nothing was forwarded (else it is the user who forwarded it)."""
    if text.senders:
        return list(reversed(text.senders))
    return [email.utils.parseaddr(outer_sender or "")]


def _tidy_sender_name(name: str) -> str | None:
    """The company in a sender's display name: "Acme Recruiting", "Jane from Acme", "Acme via Greenhouse"
    are Acme."""
    tidy = clean(name).replace("\n", " ")
    tidy = re.split(r"\s+(?:from|at|@|bei|chez|de)\s+", tidy, maxsplit=1, flags=re.IGNORECASE)[-1]
    tidy = " ".join(_SENDER_NOISE.sub(" ", tidy).strip(" -|,:\"'").split())
    if not tidy or tidy.lower() in _NOT_COMPANIES or _TOOL_NAMES.match(tidy) or company_key(tidy) in _ATS_NAMES:
        return None
    return tidy


def _company_mentions(text: str) -> list[str]:
    """Company names the text states, the most (and most surely) stated first; of equals, the first."""
    weights: dict[str, list[Any]] = {}  # key -> [weight, first position, name as first written]

    def count(name: str | None, weight: float, position: int) -> None:
        if name:
            entry = weights.setdefault(company_key(name), [0.0, position, name])
            entry[0] += weight

    for found in _COMPANY_AFTER.finditer(text):
        count(_name_at(text, found.end()), 0.5 if found.group("weak") else 1.0, found.start())
    for found in _COMPANY_BEFORE.finditer(text):
        count(_name_before(text, found.start()), 1.0, found.start())
    ranked = sorted(weights.values(), key=lambda entry: (-entry[0], entry[1]))
    return [name for _, _, name in ranked]


def _name_at(text: str, start: int) -> str | None:
    words: list[str] = []
    position = start
    while len(words) < 5:
        found = _CAPITALISED_WORD.match(text, position)
        if not found:
            break
        word = found.group(0)
        if not (word[0].isupper() or word[0].isdigit()) and not (words and word.lower() in _NAME_JOINERS):
            break
        if words and word.lower() in _NOT_COMPANIES:
            break
        words.append(word)
        position = found.end()
        if word.endswith(".") or position >= len(text) or text[position] != " ":
            break  # "Acme Corp. We ..." ends with the sentence
        position += 1
    while words and (words[-1].lower() in _NAME_JOINERS):
        words.pop()
    return _checked_name(" ".join(words))


def _name_before(text: str, end: int) -> str | None:
    line = text[max(0, end - 60) : end].rpartition("\n")[2]
    words = re.findall(r"[^\W_][\w&'.+-]*", line)
    picked: list[str] = []
    for word in reversed(words[-4:]):
        if not (word[0].isupper() or word[0].isdigit()):
            break
        picked.insert(0, word)
    while picked and picked[0].lower() in _NOT_COMPANIES:
        picked.pop(0)
    return _checked_name(" ".join(picked))


def _checked_name(name: str) -> str | None:
    name = name.strip(" .,'\"-").removesuffix("'s")
    if not name or len(name) > 60 or name.split()[0].lower() in _NOT_COMPANIES or _TOOL_NAMES.match(name):
        return None
    return name if company_key(name) else None


def _as_written(label: str, mentions: Sequence[str], display: str | None) -> str | None:
    """A domain's (or a sender's) company as the mail writes it: a mention of the same company, else the
    sender's display name when it is the company, else the label with a capital."""
    key = company_key(label.replace("-", " "))
    compact = key.replace(" ", "")
    if not compact:
        return None
    for mention in mentions:
        if company_similarity(company_key(mention), key) >= 0.9:
            return mention
    tidy = _tidy_sender_name(display or "")
    if tidy and company_similarity(company_key(tidy), key) >= 0.9:
        return tidy
    if label.islower() or label.isupper():
        return " ".join(part.capitalize() for part in key.split())  # "beispiel-gmbh" is Beispiel
    return label


def _is_ats(domain: str) -> bool:
    return any(domain == ats or domain.endswith("." + ats) for ats in ATS_DOMAINS)


def _is_tool(address: str) -> bool:
    """A sender that writes for every company: an applicant-tracking system, a calendar or a meeting tool
    (Google Calendar's invitations come from google.com, Zoom's from zoom.us)."""
    local, _, domain = address.lower().rpartition("@")
    return _is_ats(domain) or local.startswith("calendar") or bool(_MEETING_HOST.match(domain)) or domain.endswith("teams.microsoft.com")


def _registrable(domain: str) -> str:
    parts = domain.split(".")
    if len(parts) >= 3 and ".".join(parts[-2:]) in _TWO_PART_SUFFIXES:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


def _domain_label(domain: str) -> str:
    """The name a domain stands for: "acme" for careers.acme.com, "acme" for acme.co.uk."""
    return _registrable(domain.lower()).split(".")[0]


# -- companies and roles compared ---------------------------------------------------------------------------
def company_key(name: str | None) -> str:
    """A company's name reduced to what identifies it: lower-case ASCII words without legal suffixes
    ("ACME Corp." and "Acme, Inc." are "acme"; "Société Générale" is "societe generale")."""
    folded = unicodedata.normalize("NFKD", name or "")
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower().replace("&", " and ")
    words = re.findall(r"[a-z0-9]+", folded)
    kept = [word for word in words if word not in _LEGAL_SUFFIXES] or words
    while len(kept) > 1 and kept[-1] == "and":
        kept.pop()
    return " ".join(kept)


def company_similarity(a: str, b: str) -> float:
    """How alike two company keys are, 0 to 1."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ca, cb = a.replace(" ", ""), b.replace(" ", "")
    if ca == cb:
        return 0.95
    wa, wb = set(a.split()), set(b.split())
    if wa <= wb or wb <= wa:
        return 0.85
    longer, shorter = (ca, cb) if len(ca) >= len(cb) else (cb, ca)
    if len(shorter) >= 3 and longer.startswith(shorter) and longer[len(shorter) :] in _LEGAL_SUFFIXES:
        return 0.9  # "AcmeCorp" is Acme Corp; "Metabase" is not Meta
    ratio = difflib.SequenceMatcher(None, ca, cb).ratio()
    return round(ratio, 3) if ratio >= 0.85 else 0.0


_ROLE_STOP = frozenset("the a an of and for in at to with senior sr junior jr mid level i ii iii iv remote hybrid".split())


def role_similarity(application_role: str | None, reading_role: str | None, text: str) -> float:
    """How well an application's role fits the mail: the same role family, else the share of its words
    the mail says. 0.5 when the application names no role (nothing speaks against it)."""
    if not application_role or not application_role.strip():
        return 0.5
    if reading_role and vocabulary.role_of(application_role) and vocabulary.role_key(application_role) == vocabulary.role_key(reading_role):
        return 1.0
    words = [w for w in re.findall(r"[a-z0-9+#]+", _fold(application_role)) if w not in _ROLE_STOP]
    if not words:
        return 0.5
    haystack = f" {' '.join(re.findall(r'[a-z0-9+#]+', _fold(text)))} "
    return round(sum(f" {w} " in haystack for w in words) / len(words), 3)


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()


def match(reading: Mapping[str, Any], message: Email, applications: Iterable[Mapping[str, Any]]) -> tuple[Mapping[str, Any] | None, float]:
    """The application the invitation is about, among ``applications`` (the user's open ones), and how
    sure that is: by company (its name, the mail's sender domain or the application's URL, a mention in
    the mail), then role; of equals, the one applied to last. None under MATCHING."""
    text = _prepare(message)
    said = f"{text.subject}\n" + "\n".join(text.subjects) + f"\n{text.body[:20_000]}"
    said_key = f" {company_key(said)} "
    domains = {
        _domain_label(domain)
        for domain, address in ((address.rpartition("@")[2].lower(), address) for _, address in _original_senders(text, message.sender))
        if domain and not _is_tool(address) and domain not in MAIL_HOSTS and _registrable(domain) not in MAIL_HOSTS
    }
    reading_key = company_key(reading.get("company"))
    best: tuple[float, str, Mapping[str, Any]] | None = None
    for application in applications:
        key = company_key(application.get("company"))
        scores = [company_similarity(key, reading_key)]
        own_domain = _url_label(application.get("url"))
        for label in domains:
            scores.append(max(company_similarity(key.replace(" ", ""), label), 0.95 if own_domain == label else 0.0))
        if key and len(key) >= 3 and f" {key} " in said_key:
            scores.append(0.75)
        company = max(scores)
        if company < MATCHING:
            continue
        score = round(0.7 * company + 0.3 * role_similarity(application.get("role"), reading.get("role"), said), 3)
        order = str(application.get("appliedAt") or application.get("createdAt") or "")
        if best is None or (score, order) > (best[0], best[1]):
            best = (score, order, application)
    if best is None or best[0] < MATCHING:
        return None, best[0] if best else 0.0
    return best[2], best[0]


def _url_label(url: Any) -> str | None:
    if not isinstance(url, str) or "://" not in url:
        return None
    host = url.split("://", 1)[1].split("/", 1)[0].split(":")[0].lower()
    if not host or _is_ats(host):
        return None
    return _domain_label(host)


# -- when --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Date:
    start: int
    end: int
    kind: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None  # of a weekday alone ("next Tuesday"); one said with a date is taken with it
    numeric: tuple[int, int] | None = None  # (first, second) of 12/08: which is the month depends on the zone
    dotted: bool = False
    relative: str | None = None  # today, tomorrow, ... or "next"/"this" with ``weekday``


@dataclass(frozen=True)
class _Time:
    start: int
    end: int
    hour: int
    minute: int
    meridiem: str | None  # "am", "pm" or None (24-hour or unknown)
    span_end: int  # the end of the range it starts, or its own end


def _schedule(text: _Text, received_at: dt.datetime) -> tuple[dt.datetime, str | None] | None:
    """The first time of the mail (the subject's first, as a calendar invitation writes it) that is not
    already past when it arrived, with its zone's name."""
    for source in (text.subject, *text.subjects, text.body):
        source = _URL.sub(" ", source)
        dates = _dates(source)
        ends = [date.end for date in dates]
        times = _times(source)
        everywhere = _first_zone(source)
        for time in times:
            date = _date_for(time, dates, ends)
            if date is None:
                continue
            zone = _zone_after(source, time.span_end) or everywhere
            moment = _moment(date, time, zone, received_at)
            if moment is None:
                continue
            if received_at - PAST_TOLERANCE <= moment <= received_at + FURTHEST:
                return moment, zone[1] if zone else None
    return None


def _dates(text: str) -> list[_Date]:
    found: list[_Date] = []
    taken = bytearray(len(text))  # the characters an earlier (more specific) date took
    for kind, pattern in _DATE_PATTERNS:
        for match_ in pattern.finditer(text):
            start, end = match_.span()
            if any(taken[start:end]):
                continue
            date = _date_of(kind, match_)
            if date is not None:
                found.append(date)
                taken[start:end] = b"\x01" * (end - start)
    return sorted(found, key=lambda d: d.start)


def _date_of(kind: str, found: re.Match[str]) -> _Date | None:
    groups = found.groupdict()
    start, end = found.span()
    year = int(groups["year"]) if groups.get("year") else None
    if year is not None and year < 100:
        year += 2000
    if kind in ("iso", "cjk"):
        return _Date(start, end, kind, year, int(groups["month"]), int(groups["day"]))
    if kind == "named":
        return _Date(start, end, kind, year, _MONTHS[groups["mon"].lower()], int(groups["day"]))
    if kind == "numeric":
        dotted = groups["sep"] == "."
        if dotted and not (groups.get("year") or groups.get("dot")):
            return None  # "10.30" is a time, "8.12." or "08.12.2026" a date
        return _Date(start, end, kind, year, numeric=(int(groups["a"]), int(groups["b"])), dotted=dotted)
    if kind == "relative":
        return _Date(start, end, kind, relative=groups["rel"].lower())
    which = (groups.get("which") or "").lower()
    relative = "next" if which in ("next", "nächsten", "nächste", "kommenden", "próximo") or groups.get("after") else "this"
    return _Date(start, end, kind, weekday=_WEEKDAYS[groups["wd"].lower()], relative=relative)


def _times(text: str) -> list[_Time]:
    spans: list[tuple[int, int, int, int, str | None]] = []
    taken = bytearray(len(text))
    for pattern in _TIME_PATTERNS:
        for found in pattern.finditer(text):
            start, end = found.span()
            if any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            groups = found.groupdict()
            if groups.get("noon"):
                spans.append((start, end, 12, 0, "pm"))
                continue
            hour, minute = int(groups["h"]), int(groups.get("m") or 0)
            meridiem = None
            if groups.get("ampm"):
                meridiem = "pm" if groups["ampm"].lower().startswith("p") else "am"
            elif groups.get("pm"):
                meridiem = "pm"
            if (meridiem and not 1 <= hour <= 12) or hour > 23:
                continue
            spans.append((start, end, hour, minute, meridiem))
    spans.sort()
    times: list[_Time] = []
    index = 0
    while index < len(spans):
        start, end, hour, minute, meridiem = spans[index]
        span_end = end
        if index + 1 < len(spans):
            next_start, next_end, next_hour, next_minute, next_meridiem = spans[index + 1]
            if _RANGE.fullmatch(text[end:next_start]):
                span_end = next_end
                if meridiem is None and next_meridiem is not None and hour <= 12:
                    # "2:30 - 3:30 PM" is 2:30 PM; "11:30 - 12:30 PM" is 11:30 AM.
                    start_hour = _to_24(hour, next_meridiem)
                    end_hour = _to_24(next_hour, next_meridiem)
                    meridiem = next_meridiem if (start_hour, minute) <= (end_hour, next_minute) else ("am" if next_meridiem == "pm" else "pm")
                index += 1
        if meridiem is None and hour <= 12:
            spoken = _SPOKEN_IN.match(text, span_end)
            if spoken:
                part = spoken.group("part").lower()
                meridiem = "am" if part in ("morning", "mañana", "vormittags", "morgens") else "pm"
        times.append(_Time(start, end, _to_24(hour, meridiem), minute, meridiem, span_end))
        index += 1
    return times


def _to_24(hour: int, meridiem: str | None) -> int:
    if meridiem == "am":
        return 0 if hour == 12 else hour
    if meridiem == "pm":
        return hour if hour == 12 else hour + 12
    return hour


def _date_for(time: _Time, dates: list[_Date], ends: list[int]) -> _Date | None:
    """The date said with ``time``: the nearest one just before it, else just after it (``dates`` do not
    overlap and are in order, so ``ends``, their ends, are in order too)."""
    index = bisect.bisect_right(ends, time.start)
    if index and time.start - dates[index - 1].end <= DATE_BEFORE_TIME:
        return dates[index - 1]
    if index < len(dates) and dates[index].start >= time.end and dates[index].start - time.end <= DATE_AFTER_TIME:
        return dates[index]
    return None


def _first_zone(text: str) -> tuple[dt.tzinfo, str | None] | None:
    for found in _ZONE.finditer(text):
        zone = _zone_of(found)
        if zone:
            return zone
    return None


def _zone_after(text: str, position: int) -> tuple[dt.tzinfo, str | None] | None:
    attached = _ATTACHED_OFFSET.match(text, position)
    if attached:
        return _fixed(
            0 if attached.group("z").upper() == "Z" else _offset_minutes(attached.group("z")[0], attached.group("oh"), attached.group("om"))
        )
    window = text[position : position + ZONE_AFTER_TIME]
    found = [zone for zone in map(_zone_of, _ZONE.finditer(window)) if zone]
    named = [zone for zone in found if zone[1] and "/" in zone[1]]
    return (named or found)[0] if found else None


def _zone_of(found: re.Match[str]) -> tuple[dt.tzinfo, str | None] | None:
    groups = found.groupdict()
    if groups.get("iana"):
        return _named(groups["iana"])
    if groups.get("offset"):
        return _fixed(_offset_minutes(groups["sign"], groups["oh"], groups.get("om")))
    if groups.get("abbr"):
        return _named(_ABBREVIATIONS[groups["abbr"]])
    for index, (_, zone) in enumerate(_ZONE_NAMES):
        if groups.get(f"name{index}"):
            return _named(zone)
    return None


def _named(name: str) -> tuple[dt.tzinfo, str | None] | None:
    try:
        return ZoneInfo(name), name
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _offset_minutes(sign: str, hours: str, minutes: str | None) -> int:
    value = int(hours) * 60 + int(minutes or 0)
    return -value if sign in "-−" else value


def _fixed(minutes: int) -> tuple[dt.tzinfo, str | None] | None:
    """A fixed offset, named as IANA names one (UTC, Etc/GMT-1 for +01:00) when it can."""
    if abs(minutes) > 14 * 60:
        return None
    if minutes == 0:
        return ZoneInfo("UTC"), "UTC"
    if minutes % 60 == 0:
        name = f"Etc/GMT{'-' if minutes > 0 else '+'}{abs(minutes) // 60}"  # POSIX-style: the sign is inverted
        return ZoneInfo(name), name
    return dt.timezone(dt.timedelta(minutes=minutes)), None


def _moment(date: _Date, time: _Time, zone: tuple[dt.tzinfo, str | None] | None, received_at: dt.datetime) -> dt.datetime | None:
    tz = zone[0] if zone else received_at.tzinfo
    assert tz is not None
    received_day = received_at.astimezone(tz).date()
    day = _day(date, received_day, american=bool(zone is None or (zone[1] or "").startswith(("America/", "Pacific/Honolulu"))))
    if day is None:
        return None
    wall = dt.datetime(day.year, day.month, day.day, time.hour, time.minute, tzinfo=tz)
    # Through UTC and back: a wall time in a DST gap becomes the time the clock shows after the jump.
    return wall.astimezone(dt.UTC).astimezone(tz)


def _day(date: _Date, reference: dt.date, *, american: bool) -> dt.date | None:
    if date.relative in ("today", "tonight", "heute", "aujourd'hui", "hoy"):
        return reference
    if date.relative in ("tomorrow", "morgen", "demain", "mañana"):
        return reference + dt.timedelta(days=1)
    if date.relative in ("day after tomorrow", "übermorgen", "après-demain", "pasado mañana"):
        return reference + dt.timedelta(days=2)
    if date.kind == "weekday":
        assert date.weekday is not None
        ahead = (date.weekday - reference.weekday()) % 7 or 7
        if date.relative == "next" and ahead < 7 - reference.weekday():
            ahead += 7  # "next Tuesday" said on a Monday is the Tuesday of the week after
        return reference + dt.timedelta(days=ahead)
    month, day = date.month, date.day
    if date.numeric:
        first, second = date.numeric
        month_first = american and not date.dotted
        month, day = (first, second) if month_first else (second, first)
        if not 1 <= month <= 12:
            month, day = day, month
    assert month is not None and day is not None
    if date.year is not None:
        return _valid(date.year, month, day)
    recent = [d for d in (_valid(reference.year + n, month, day) for n in (-1, 0)) if d]
    if any(reference - RECENT_PAST <= d < reference - dt.timedelta(days=1) for d in recent):
        return None  # "we met on November 20": a day just past is a reference, not next year's date
    candidates = [d for d in (_valid(reference.year + n, month, day) for n in (0, 1)) if d and d >= reference - dt.timedelta(days=1)]
    return candidates[0] if candidates else None


def _valid(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
