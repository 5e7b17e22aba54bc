"""The journal's offline AI rules: what the ``local`` provider answers for ``journal.insight``.

An entry is read sentence by sentence, and each sentence clause by clause (at "but", "although", "even
though"...). Each clause gets two readings that correct each other: VADER's (a lexicon and rule-based
analyser made for short informal English text) and ours, the feelings the clause names or the events that
carry one without a word for it ("Dad's funeral was today" is grief; "the boiler broke" is frustration).

- The label is "mixed" when one clause is strongly positive and another strongly negative, whichever is
  louder; otherwise it follows the score (the sentences' average, each weighed by its own strength), and a
  day with no feeling anywhere is neutral. A negated feeling turns around ("not happy" is a let-down).
- A sarcastic sentence ("Oh great, the boiler broke again", a bare "Perfect." after a mishap, scare
  quotes, "yeah right") reads as the frustration it is, not as the joy its words say.
- Themes need real evidence: phrases with another sense are read first ("spent the morning" is time, not
  money; "ran errands" is not running; a river bank is not a bank), and weak words count half.

The summary is the entry's own most salient sentence. Deterministic, no network; text in another language
gets a neutral answer that is still valid.
"""

from __future__ import annotations

import re
import textwrap
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["EMOTIONS", "THEMES", "insight", "sample_data"]

SUMMARY_MAX = 200
MAX_EMOTIONS = MAX_THEMES = 5
# VADER's own cut-offs for a positive / negative compound score.
_POSITIVE, _NEGATIVE = 0.05, -0.05
# A clause this strong either way is a feeling of its own: one of each makes the entry "mixed". Where
# none of our words names the feeling, VADER alone must be surer: its small words ("help", "security")
# lean positive in sentences that are not.
_STRONG, _VADER_STRONG = 0.4, 0.5
# How strongly a named feeling or a telling event reads when VADER hears less; a hedged or mild one
# ("a bit tired", "nervous") reads as a lesser feeling and cannot make a day mixed on its own.
_FELT, _MILD_FELT = 0.45, 0.25
_MILD_CAP = 0.35
# A day where no sentence reaches this either way and no feeling is named reads as neutral, however
# VADER's small weights ("agreed", "cancel the internet") add up.
_FAINT = 0.3
# A theme needs this much evidence: one clear word, or two weak ones.
_THEME_EVIDENCE = 1.0
_WEAK = 0.5

_analyser: Any = None
_analyser_lock = threading.Lock()


def _vader() -> Any:
    """One analyser per process, built on first use: loading its lexicon costs tens of milliseconds that
    a cold start of a function that never asks for an insight should not pay."""
    global _analyser
    if _analyser is None:
        with _analyser_lock:
            if _analyser is None:
                from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                _analyser = SentimentIntensityAnalyzer()
    return _analyser


def _lexicon(table: Mapping[str, str]) -> dict[str, re.Pattern[str]]:
    # Plurals come free ("holiday" finds "holidays"): the tables list each word once.
    return {name: re.compile(rf"\b(?:{words})(?:s|es)?\b", re.IGNORECASE) for name, words in table.items()}


def _phrases(rows: Iterable[tuple[str, Any]]) -> list[tuple[re.Pattern[str], Any]]:
    return [(re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE), meaning) for pattern, meaning in rows]


@dataclass(frozen=True)
class _Phrase:
    """A phrase that says a feeling (or, with no names, none) however its words read one by one."""

    pattern: re.Pattern[str]
    names: tuple[str, ...]
    strength: float = _FELT


def _feeling_phrases(rows: Iterable[tuple[Any, ...]]) -> list[_Phrase]:
    return [_Phrase(re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE), *meaning) for pattern, *meaning in rows]


# -- feelings --------------------------------------------------------------------------------------

EMOTIONS = _lexicon(
    {
        "joy": r"happy|happier|happiest|happiness|joy|joyful|joyous|delighted|delight|delightful|glad|cheerful|thrilled|excited|exciting|excitement|elated|ecstatic|overjoyed|"
        r"wonderful|amazing|lovely|fun|enjoy(?:ed|ing)?|laugh(?:ed|ing|ter)?|smil(?:e|ed|ing)|beaming|grinning|grinn?ed|giddy|buzzing|chuffed|stoked|celebrat(?:e|ed|ing|ion)|yay|woo-?hoo|had a blast",
        "gratitude": r"grateful|thankful|thank(?:s|ed)?|appreciat(?:e|ed|ive|ion)|blessed|gratitude",
        "calm": r"calm|calmer|peaceful|peace|relaxed|relaxing|serene|at ease|tranquil|unhurried|content|contented|contentment|cosy|cozy|restful|soothing|mellow",
        "love": r"love|loved|loving|adore[ds]?|affection(?:ate)?|cherish(?:ed)?|hug(?:s|ged)?|tender|in love",
        "pride": r"proud|pride|accomplished|achieved|achievement|nailed it|killed it|succeeded|managed to|finally did|pulled it off",
        "hope": r"hope|hoped|hopeful|hoping|optimistic|looking forward|can'?t wait|excited about|brighter",
        "relief": r"relieved|relief|phew|weight off my shoulders|(?:can|could) (?:finally |at last )?breathe again|so much lighter|off the hook",
        "awe": r"awe|awestruck|breathtaking|stunning|spectacular|magnificent|majestic",
        "sadness": r"sad|sadder|sadness|unhappy|cried|cry(?:ing)?|tears|tearful|tearing up|teared up|wept|weep(?:ing)?|sob(?:bed|bing)?|depressed|heartbroken|heartbreaking|grief|griev(?:e|ing)|"
        r"gloomy|miserable|devastated|gutted|upset|hurt|hurtful|heartache|sorrow|mourn(?:ing)?|down in the dumps|empty inside|(?:felt|feel|feeling) (?:so )?(?:down|low)|"
        r"miss(?:ing)? (?:him|her|them|you|home|my (?:friends|family|mum|mom|dad|parents|kids|children|sister|brother|old life)|\w+ (?:terribly|so much))",
        "anxiety": r"anxious|anxiety|worried|worry(?:ing)?|worries|nervous|stressed|stress(?:ful)?|panic(?:ked|king)?|overwhelmed|afraid|scared|scary|terrified|frightened|petrified|"
        r"fear(?:ful)?|uneasy|dread(?:ing)?|on edge|jittery|tense|fraud|impostor|imposter",
        "anger": r"angry|anger|furious|mad at|rage|raging|irritated|irritable|annoyed|resent(?:ful|ment)?|livid|pissed|infuriat(?:ed|ing)|outraged|fuming|seething|slammed|shouted at|snapp(?:ed|ing) at",
        "frustration": r"frustrat(?:ed|ing|ion)|stuck|fed up|annoying|going nowhere|getting nowhere|nothing works|pointless|waste of time|had enough|sick of|sick and tired|ugh+|argh+",
        "loneliness": r"lonely|loneliness|alone|isolated|left out|no one to talk to|nobody to talk to|disconnected",
        "fatigue": r"tired|exhausted|exhausting|exhaustion|drained|worn out|sleepy|burn(?:ed|t) out|burnout|fatigue[d]?|no energy|weary|knackered|shattered|wrecked|wiped out|"
        r"running on empty|dead on my feet|barely slept|no sleep|(?:haven't|hadn't|have not|had not) slept|all-nighter|(?:couldn't|can't|could not|cannot) sleep|barely sleeping|up all night|sleepless",
        "guilt": r"guilty|guilt|ashamed|shame|regret(?:s|ted|ful)?|(?:feel|felt|feeling) (?:bad|awful|terrible) about",
        "disappointment": r"disappointed|disappointing|disappointment|let (?:me|us) down|(?:felt|feel|was|been) let down|letdown|such a shame|what a shame|anticlimax|underwhelm(?:ed|ing)",
    }
)
_POSITIVE_FEELINGS = frozenset({"joy", "gratitude", "calm", "love", "pride", "hope", "relief", "awe"})
_NEGATIVE_FEELINGS = frozenset(EMOTIONS) - _POSITIVE_FEELINGS
# A negated joy ("I wasn't happy", "didn't enjoy it") is a disappointment; other negated feelings are none.
_NEGATED_JOY = frozenset({"joy", "pride", "love"})

# A bad turn of the day: the ground sarcasm stands on, and a frustration unless it was laughed off.
_MISHAPS = (
    r"(?:broke|broken|breaks) down|broke(?! up)|broken|cancel(?:l?ed|l?ing)|delayed|pouring rain|torrential rain|downpour|drove (?:straight |right )?past (?:me|us)|flat (?:tyre|tire)|puncture|spill(?:ed|t)|jammed|"
    r"missed (?:the|my) (?:bus|train|flight|plane|connection|deadline)|lost (?:my|the) (?:keys|wallet|purse|phone|suitcase|luggage|bag|passport|ticket)|"
    r"locked (?:my keys|myself) (?:in|out)|locked out|stuck in traffic|traffic jam|crashed|deleted|burn(?:ed|t) (?:the|my)|leak(?:ed|ing|s)?|flood(?:ed|ing)|stolen|overslept|"
    r"(?:started|starting|begun|began) to (?:pour|rain)|pouring (?:down|with rain)|(?:it's|it is|it was) pouring|soaked|drenched|hammering|drilling|noisy|"
    r"(?:water|rain) (?:pouring|dripping|coming|leaking) (?:in|through|down)|dripping through|"
    r"(?:\w+ )?hours? (?:in (?:a|the) queue|waiting|on hold)|(?:queued|waited|waiting) for (?:ages|hours|\w+ hours|\w+ minutes)|on hold for|closed (?:\w+ ){0,3}(?:right )?(?:as|when|before) (?:i|we)|"
    r"(?:won't|wouldn't) (?:start|work|open|load|charge)|stopped working|(?:already|so) late|"
    r"(?:\w+ )?hours? (?:of|doing) (?:tax|paperwork|forms|admin|meetings|emails|marking|spreadsheets|ironing)\w*|"
    r"on hold|cut off|hung up on (?:me|us)|only (?:to (?:be|find|discover|realise|realize|get)|for (?:it|them|him|her|the \w+|\w+) to)\b|"
    r"no idea where|forgot (?:my|the|half)|(?:an|\w+) hours? late|running late|late again|went wrong|gone wrong|goes wrong|failed (?:its|my|the)|shouted at"
)
_MISHAP = re.compile(rf"(?:{_MISHAPS})", re.IGNORECASE)
# Crying for joy and a mishap laughed at are not the sadness and frustration their words say.
_CRYING = re.compile(r"^(?:cried|cry|crying|tears|tearful|wept|weep|weeping|sob|sobbed|sobbing)$", re.IGNORECASE)
_NEARBY = 40  # characters: how close a joy word must be to make crying happy
_LAUGHING = re.compile(r"^(?:laugh\w*|smil\w*|grinning|giggl\w*)$", re.IGNORECASE)

# Phrases read before single words: idioms whose words mislead ("happy tears", "so blue it hurts",
# "my phone died") and events that carry a feeling nobody names. Each phrase is blanked afterwards, for
# VADER too, so that its words are not read a second time. Order matters: the first reading of a span wins.
_FEELING_PHRASES = _feeling_phrases(
    [
        # idioms
        (
            r"(?:cried|cry|crying|wept|weep|weeping|sobbed|sobbing|tears) (?:of|with|from|in) relief",
            ("relief",),
        ),
        (
            r"(?:(?:cried|cry|crying|shed|wept|weeping) (?:some |a few )?)?(?:happy tears|tears of (?:joy|happiness|laughter))|cried (?:with|from) (?:joy|happiness|laughter)|crying with laughter|laughed until (?:i|we) cried",
            ("joy",),
        ),
        (r"over the moon|on cloud nine|on top of the world", ("joy",)),
        (
            r"never (?:felt|been|looked|slept) (?:better|happier|healthier|calmer|fitter)|couldn'?t be happier|couldn'?t have asked for (?:more|better)|can'?t complain",
            ("joy",),
        ),
        (r"never (?:felt|been) (?:prouder|more proud)", ("pride",)),
        (r"not (?:too |half |that )?shabby|not half bad|not bad at all", ("joy",)),
        (r"(?:a bit|a little|all a bit|too|way too) much(?: lately| recently| at the moment)?|not coping|can'?t cope|struggling", ("anxiety",)),
        (
            r"(?:couldn't|can't|could not|cannot) get out of bed|(?:haven't|hadn't|not) (?:really |been |really been )*(?:sleeping|slept)",
            ("fatigue",),
        ),
        (r"for the last time|said goodbye|saying goodbye", ("sadness",)),
        (r"never (?:felt|been) (?:more grateful|more thankful)", ("gratitude",)),
        (r"(?:which|that|it) (?:really )?stings|stung", ("sadness",)),
        (r"(?:the )?(?:\w+ )?said (?:that )?(?:it|he|she|they) (?:was|were|is|are|looked|seemed) (?:very |so |quite )?\w+", ()),
        (
            r"thank (?:god|goodness|heavens)|(?:benign|all[- ]clear|in remission|clear scan)|came back (?:clean|clear|negative|normal|fine)",
            ("relief",),
        ),
        (
            r"(?:finally|eventually) worked out|(?:it|things|everything|that) (?:all )?worked out|worked out (?:in the end|well|fine|okay|after all)",
            ("relief",),
        ),
        (r"(?:just|exactly) (?:what |the (?:\w+ ){0,3}?)(?:i|we) needed", ("calm",)),
        # small comforts: a calm, but a mild one ("a quiet day" is no great peace)
        (
            r"(?:slow|lazy|quiet) (?:sunday|saturday|morning|day|evening|weekend)|lie-in|duvet day|sun on my (?:back|face|skin)|(?:warm|spring|morning) sunshine|birdsong",
            ("calm",),
            _MILD_FELT,
        ),
        (
            r"sick with (?:worry|nerves|fear)|heart (?:was )?(?:racing|pounding)|racing heart|knot in my stomach|butterflies in my stomach",
            ("anxiety",),
        ),
        (r"(?:feel|felt|feeling) sick about", ("guilt",)),
        (r"(?:sick and |so |really )?tired of", ("frustration",)),
        (r"keep(?:ing)? the peace", ()),
        (r"(?:feel|felt|feeling) (?:so much |much |a lot )?lighter|(?:the )?world didn't end", ("relief",)),
        (r"personal best|\bpb\b|new record|for the first time ever|high-?fived?", ("pride",)),
        (r"champagne|popped (?:a|the) bottle", ("joy",)),
        (
            r"(?:\w+ )?(?:years?|months?|weeks?) (?:since|without) (?:mum|mom|dad|nan|gran|grandma|grandpa|grandad|him|her|\w+ died)\b|"
            r"(?:weeks|days|months), not (?:months|weeks|years)|(?:doesn't|does not|didn't|no longer) (?:know|recognise|recognize) (?:me|us|who)",
            ("sadness",),
        ),
        (r"accident|rear-ended|write-off|collision", ("anxiety",)),
        (
            r"(?:didn't|did not) think about anything|(?:my )?mind (?:went |was |felt )?(?:quiet|still)|clear(?:ed)? my head|nowhere to be|no rush",
            ("calm",),
        ),
        (r"broke my heart|broken-?hearted|lump in my throat", ("sadness",)),
        (r"so \w+ it hurts|hurts so good", ()),
        (r"could(?:n'?t)? (?:have|'ve) been worse|could be worse|not the end of the world", ()),
        (r"(?:body|legs?|back|feet|knees?|arms?|muscles?|everything) (?:hurts?|ached?|aches|aching|is killing me)", ("fatigue",)),
        (
            r"(?:phone|battery|laptop|computer|car|engine|charger|tv|telly|printer|wifi|wi-fi|router|kettle|boiler|fridge) (?:died|is dead|was dead|went dead|gave up|packed up)",
            ("frustration",),
        ),
        # bereavement and loss
        (
            r"funeral|eulogy|passed away|passed on|died|death|ashes|graveside|grave|memorial|bereave\w*|miscarr\w*|stillb(?:orn|irth)|lost the baby|hospice|"
            r"lost (?:my|our|his|her) (?:mum|mom|mother|dad|father|baby|son|daughter|husband|wife|partner|brother|sister|grandma|grandmother|grandpa|grandfather|nan|gran|best friend|friend|dog|cat)|"
            r"(?:have|had|get|got|was|were|be|being) (?:\w+ )?put (?:down|to sleep)|(?:didn't|did not) make it|slipped away|no longer with us|lost (?:his|her|their) (?:fight|battle)|"
            r"(?:mum|mom|dad|grandma|grandad|grandpa|nan|gran|uncle \w+|aunt(?:ie)? \w+|he|she) (?:is|has) gone|wish (?:\w+ ){1,2}(?:had lived|(?:were|was) (?:still )?(?:here|alive)|could have (?:seen|met|been here))",
            ("sadness",),
        ),
        (r"broke up|break(?:ing)? up|split up|dumped|divorce[ds]?|divorcing|cheated on|left me", ("sadness",)),
        (r"(?:i|we) (?:had to )?(?:lay|laid) off|(?:had to )?(?:fire|let go of) (?:\w+ )?(?:people|staff|someone)", ("guilt", "sadness")),
        (
            r"(?:got|been|was|were|get|getting) (?:laid off|fired|sacked|let go|made redundant)|lost (?:my|his|her|our) job|laid off|made redundant|redundanc(?:y|ies)",
            ("sadness", "anxiety"),
        ),
        # illness: a serious one frightens; one's own flu drains
        (
            r"diagnos(?:is|ed|es)|biopsy|(?:scan|test) results|stage (?:[1-4]|one|two|three|four|iv|iii|ii)|chemo\w*|radiotherapy|cancer|tumou?r|intensive care|icu|a&e|ambulance|"
            r"surgery|(?:in|into|to) hospital|(?:in|on) the (?:\w+'?s? )?ward|panic attacks?|anxiety attacks?|longest (?:night|day|week) of my life|mri|ct scan|x-?ray|ultrasound|blood tests?|(?:call|wait|waiting) (?:\w+ ){0,2}results|"
            r"trying not to (?:think about it|worry|panic|google|spiral|overthink)",
            ("anxiety",),
        ),
        (
            r"flu|fever|migraine|aching|flare-?ups?|vomit\w*|throwing up|food poisoning|bedridden|knocked me (?:flat|out|sideways)|"
            r"(?:i'm|i am|i was|i've been|i feel|i felt|feeling|felt) (?:so |really |very )?(?:sick|ill|poorly|unwell)",
            ("fatigue",),
        ),
        # people who are not there
        (
            r"(?:nobody|no one|no-one|not a soul) (?:called|came|rang|texted|messaged|wrote|visited|noticed|remembered|showed up|turned up|asked|checked|invited)|not a single (?:message|call|text|visitor)|"
            r"(?:since|without) (?:i )?(?:spoke|spoken|talked|talking|speaking) to (?:anyone|anybody|another (?:person|soul|human)|a soul)|(?:didn't|don't|did not|do not) know anyone|"
            r"(?:dinner|table) for one|all (?:by )?(?:myself|alone)|(?:talked|spoke|spoken|talking|speaking) to (?:nobody|no one|no-one)|"
            r"(?:haven't|hadn't|didn't|did not|have not|had not|don't|do not) (?:\w+ )?(?:talk|speak|talked|spoken|spoke|seen|heard from) (?:to )?(?:anyone|anybody|a soul|another (?:adult|person|human|soul)|a single (?:person|soul))|empty (?:flat|house|home|bed)|"
            r"(?:christmas|birthday|new year|thanksgiving|eid|diwali|valentine'?s|weekend|holiday) (?:on my own|alone|by myself)|on my own (?:again|this year)|"
            r"(?:watched|watching|scrolling|scrolled) (?:through )?other people's",
            ("loneliness",),
        ),
        (
            r"didn'?t (?:even )?(?:bother to )?(?:call|come|show up|turn up|text|ring|reply)|(?:hasn't|haven't|won't|doesn't) (?:answered|replied|called|texted|answer|reply|speak to me)|forg(?:ot|otten) my birthday|stood me up|ignor(?:ed|ing) me",
            ("disappointment",),
        ),
        (
            r"(?:didn't|did not|don't|never) get (?:the|a|my|in|into) (?:\w+ )?(?:part|job|role|place|offer|promotion|grant|contract|flat|house)|passed over|overlooked for|(?:got|been|was|were) rejected|rejection|turned (?:me|us) down",
            ("disappointment",),
        ),
        (
            r"(?:a )?(?:horrible |huge |big |nasty |awful |stupid )?(?:argument|row|fight)|argued|arguing|quarrel\w*|(?:we're|we are|we were) not (?:speaking|talking)",
            ("anger",),
        ),
        (_MISHAPS, ("frustration",)),
        # good news
        (
            r"passed (?:(?:my|the|all|both|every|\w+) ){0,3}(?:exams?|tests?|finals|modules?|viva|probation|audition)|"
            r"got (?:the|a|my|an) (?:job|offer|promotion|raise|pay rise|grant|place|part|role|scholarship|distinction|award|contract)|job offer|"
            r"(?:got|been|was) promoted|promotion|got into (?:uni|university|college|medical school|law school|drama school|art school|the course|the programme|the program)|"
            r"closed (?:its|our|the|a) (?:\w+ )?(?:round|deal)|raised (?:\w+ ){0,2}(?:funding|investment)|(?:got|was|been|were|am|is|are) accepted|acceptance (?:letter|email)|graduat(?:ed|ion)|distinction|won (?:the|a|an|my|first)|"
            r"(?:finished|completed|ran) (?:my |the |a )?(?:first )?(?:marathon|half marathon|race|triathlon|\d+ ?k)|paid off|"
            r"grew (?:by )?\d+ ?%|(?:record|best) (?:month|quarter|year|sales)|(?:our|my) first (?:employee|customer|sale|client|order)|first (?:paycheck|pay cheque|payslip|salary)|(?:dug up|picked|harvested) (?:the |our |my )?first",
            ("pride",),
        ),
        (
            r"got engaged|got married|first (?:steps|words|tooth)|(?:was|were|is) born|newborn|(?:she's|he's|baby's|they're) here|(?:is|are|we're|she's|i'm) (?:having|expecting) (?:a baby|twins|a boy|a girl)",
            ("joy", "love"),
        ),
        (
            r"cleared (?:my|the|our) (?:debt|credit card|loan|overdraft)|debt[- ]free|paid off (?:my|the|our) (?:debt|loan|mortgage|credit card)",
            ("relief",),
        ),
    ]
)
# Words too weak to make a moment strong on their own, unless an intensifier comes first ("so tired").
_MILD = re.compile(r"^(?:tired|sleepy|nervous|bored|glad|annoyed|irritated|uneasy|stressed|fun|content|tense|low)$", re.IGNORECASE)
_HEDGE = re.compile(r"\b(?:a (?:bit|little|tad)|slightly|somewhat|kind of|kinda|sort of|mildly|a touch)\s+(?:\w+\s+)?$", re.IGNORECASE)
_INTENSIFIER = re.compile(r"\b(?:so|very|really|completely|utterly|absolutely|totally|incredibly|extremely|deeply|bone|terribly)\s+$", re.IGNORECASE)
# A feeling word right after one of these ("not happy", "wasn't worried", "never lonely", "less scary") says the opposite.
_NEGATED = re.compile(
    r"\b(?:not|no|never|nothing|nobody|none|neither|hardly|barely|without|nor|cannot|less|\w+n't)(?:\s+\w+){0,2}\s*$", re.IGNORECASE
)
# ...and a negated worry that has passed ("not worried any more", "less scary than I expected") is relief.
_PASSED_AFTER = re.compile(r"\W*(?:\w+\W+){0,4}?(?:any ?more|than (?:i |we )?(?:expected|feared|thought|imagined))\b", re.IGNORECASE)
_NO_LONGER = re.compile(r"\bno longer\b", re.IGNORECASE)

# -- sarcasm ---------------------------------------------------------------------------------------

_PRAISE = r"great|perfect|fantastic|brilliant|wonderful|lovely|marvell?ous|super|awesome|terrific|excellent|splendid|amazing|fabulous|delightful|fun|nice|good"
# Said only in irony.
_IRONY = re.compile(
    r"\byeah,? right\b|\bthanks for nothing\b|\bjust my luck\b|\b(?:love|loving) (?:that|this) for (?:me|us)\b|"
    r"\b(?:thanks|thank you|cheers),? (?:universe|life|karma|monday|mother nature)\b|\bsaid no(?: ?one|body) ever\b",
    re.IGNORECASE,
)
# Irony when the day around it went wrong, sincere otherwise ("just what I needed" after a bath).
_IRONY_IF_BAD = re.compile(
    rf"\boh,? (?:{_PRAISE}|joy|goody)\b|\bjust (?:{_PRAISE}|what i wanted)\b|\b(?:just|exactly) (?:what |the (?:\w+ ){{0,3}}?)(?:i|we) needed\b|\bthanks a (?:lot|bunch|million)\b|\bcheers for that\b|"
    rf"\bwhat an? (?:(?:{_PRAISE}) (?:start|end|way|day|morning|evening|week|weekend)|treat|joy|delight|pleasure|lovely surprise)\b|\bliving (?:my|the|our) (?:best life|dream)\b|"
    rf"\b(?:really|very|so|how|super) (?:helpful|useful|considerate|thoughtful)\b|\b(?:i )?(?:just )?(?:love|adore) (?:it )?(?:when|how)\b|^\W*(?:of course|typical|naturally)\b|"
    rf"\blucky me\b|\bhow (?:{_PRAISE})\b|\bwell done,? me\b",
    re.IGNORECASE,
)
# Irony only when the sentence itself tells the bad turn ("So glad I stayed late, only for the meeting to be
# cancelled"; "Wonderful service from the bank: forty minutes on hold").
_IRONY_IF_BAD_HERE = re.compile(rf"\bso (?:glad|happy|pleased) (?:i|we)\b|^\W*(?:\w+\W+){{0,5}}?(?:{_PRAISE}|best)\b[^:]*:", re.IGNORECASE)
# A sentence that is nothing but praise ("Perfect.", "Just fantastic!", "Brilliant."): sincere after good news, irony after a mishap.
_BARE_PRAISE = re.compile(
    rf"^\W*(?:(?:oh|well|just|absolutely|simply|really|so|how|what|a|an|truly|totally|utterly)\W+)*(?:{_PRAISE}|great job|nice one|well done|love (?:it|that|this)|(?:it's|i'm|everything's|all) (?:fine|good))(?:\W+(?:{_PRAISE}|then|again|indeed|me|thanks))*\W*$",
    re.IGNORECASE,
)
# A word or two in quotes, in lower case ("a 'quick' project"): scare quotes, unless the writer is quoting someone.
_SCARE_QUOTES = re.compile(r"(?<![\w'\"])(['\"])([a-z][a-z-]*(?: [a-z][a-z-]*)?)\1(?![\w'\"])")
_QUOTING = re.compile(r"\b(?:said|says|say|called|named|word|term|titled|wrote|texted|asked|told|shouted|yelled)\W*$", re.IGNORECASE)

# -- clauses ---------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])|[\r\n]+")
_CONTRAST = re.compile(
    r"[,;]?\s+(?:but|even though|although|though|however|yet|whereas)\b,?\s*|[,;]\s+then\b,?\s*|;\s*|^\s*but\b,?\s*", re.IGNORECASE
)
# "Although X, Y": the subordinate clause runs to the first comma.
_LEADING_CONCESSION = re.compile(r"^\s*(?:although|even though|though|despite)\b([^,]*),\s*(.*)$", re.IGNORECASE | re.DOTALL)
# "..., but nobody minded": a clause that waves the trouble before it away.
_DISMISSAL = re.compile(
    r"\b(?:(?:nobody|no one|no-one|neither of us|none of us) (?:minded|cared|noticed|was hurt|got hurt)|every(?:one|body)(?:'s| is| was) (?:fine|ok|okay|safe)|(?:it|that) (?:didn't|did not|doesn't) matter|(?:i|we) (?:didn't|did not|don't) (?:mind|care)|"
    r"(?:it|that) was (?:totally |so |completely )?worth it|no harm done|who cares|(?:we|i) laughed (?:it off|about it)|never mind)\b",
    re.IGNORECASE,
)

# -- themes ----------------------------------------------------------------------------------------

THEMES = _lexicon(
    {
        "work": r"work(?:ed|ing)?|job|office|boss|manager|colleagues?|co-?workers?|meetings?|deadlines?|projects?|clients?|career|shift|promot(?:ed|ion)|interview|workplace|overtime|"
        r"department|team-building|presentation|(?:my|our) team|stand-?up|sprint|deploy(?:ed|ment)?|shipped|pull requests?|code review|one-to-one|retire(?:d|ment)?|hired|resign(?:ed|ation)?|conference|grant|laid off|redundan(?:t|cy)",
        "family": r"family|mom|mum|mother|dad|father|parents?|sister|brother|siblings?|son|daughter|kid|kids|children|grandma|grandmother|grandpa|grandfather|aunt|uncle|cousins?|"
        r"baby|babies|newborn|toddler|nan|nana|gran|granny|grandad|granddad|grandparents?|in-laws?|niece|nephew",
        "relationships": r"partner|boyfriend|girlfriend|husband|wife|dating|date night|relationship|marriage|married|break-?up|broke up|break up|split up|crush|fianc[ée]e?|divorce[ds]?|anniversary|my ex|proposed|proposal|engaged|engagement",
        "friends": r"friends?|friendship|buddy|buddies|hung out|hang out|party|mates",
        "health": r"health|healthy|doctor|sick|illness|ill|pain|headache|migraine|hospital|medication|meds|symptoms|flu|injury|therapy|therapist|scan|biopsy|surgery|chemo\w*|cancer|"
        r"tumou?r|diagnos(?:is|ed|es)|nurses?|gp|dentist|fever|rash|flare-?ups?|chronic|arthritis|panic attacks?|anxiety attacks?|mental health|counsell?(?:ing|or)|depression|ward|pregnan(?:t|cy)|miscarr(?:iage|ied)|covid|physio(?:therapy)?|clinic|prescription|asthma|benign|mri|x-?ray|ultrasound|operation",
        "sleep": r"sleep|slept|sleeping|insomnia|nap|naps|bedtime|woke up|nightmare|rested|all-nighter|early night|sleepless",
        "exercise": r"exercise|workout|gym|running|jog(?:ging)?|yoga|pilates|cycling|lifting|deadlift(?:ed|ing)?|squats?|bench press|marathon|half-marathon|triathlon|fitness|football|tennis|climbing|hike|hiking",
        "money": r"money|budget(?:ing)?|bills?|rent|salary|debt|savings|saved up|afford|expensive|bank|tax(?:es)?|mortgage|loans?|overdraft|credit card|paycheck|payday|pension|finances|financial|"
        r"income|wages?|pay rise",
        "study": r"study|studied|studying|exams?|class(?:es)?|lectures?|homework|school|university|uni|college|course|assignment|thesis|revision|revising|dissertation|essay|finals|"
        r"graduat(?:ed|ion|e)|distinction|degree|semester|seminar|tutor",
        "nature": r"nature|park|forest|woods|garden(?:ing)?|beach|ocean|sea|mountains?|trees?|sunset|sunrise|birds?|flowers?|river|lake|canal|outdoors|plants?|planted|planting|"
        r"seedlings?|seeds?|soil|weeds|weeding|compost|allotment|greenhouse|repott?(?:ed|ing)?|houseplants?|raised beds?|flower ?beds?|lawn|mow(?:ed|ing)?|prun(?:e|ed|ing)|harvest(?:ed|ing)?|bloom(?:ed|ing)?",
        "creativity": r"paint(?:ed|ing)?|draw(?:ing)?|drew|sketch(?:ed|ing)?|music|songs?|guitar|piano|art|creative|poem|poetry|short story|craft|photography|design(?:ed|ing)?|"
        r"audition(?:ed|ing)?|rehears(?:al|ed|ing)|theatre|theater|acting|concert|gig|band|choir|orchestra",
        "travel": r"travel(?:l?ed|l?ing)?|trip|vacation|holiday|flight|airport|hotel|abroad|journey|road trip|sightseeing|villa|airline|suitcase|luggage|passport|ferry|train|platform|"
        r"station|tram|tube|subway|metro|commute|commuting|cruise|tourists?",
        "self-care": r"self-care|bath|meditat(?:e|ed|ing|ion)|me time|skincare|massage|pampered|journaling|unplugged|day off|spa|facial|manicure",
        "home": r"house|apartment|cleaning|cleaned|chores|laundry|tidied|decluttered|moving house|neighbou?rs?|landlord|renovat(?:e|ing|ion)|boiler|kettle|washing machine|dishwasher|fridge|"
        r"roof|carpet|windowsill|plumber|electrician|diy|hoover(?:ed|ing)?|vacuum(?:ed|ing)?|ironing|furniture|removals?|unpack(?:ed|ing)?|boxes|moving day|"
        r"(?:the|my|our|this|a|an|new|her|his|their|empty|rented|shared) flat|ceiling|new (?:house|home|place)|the move|moved (?:house|in together|into (?:a|the|our|my|new)|out of (?:the|my|our)|to a new (?:city|town|flat|house|place|country))",
        "food": r"food|dinner|lunch|breakfast|meal|cook(?:ed|ing)?|bak(?:e|ed|ing)|recipe|restaurant|pizza|curry|soup|pancakes?|cake|bread|stew|pasta|dessert|groceries|picnic|barbecue|bbq|delicious|brunch",
        "pets": r"dog|dogs|cat|cats|puppy|kitten|pet|pets|vet|vets|hamster|rabbit",
        "reading": r"novel|books?|chapter|reading|read (?:for|in bed|a bit|a few|some)|audiobook|kindle|bookshop|book club",
        "grief": r"funeral|eulogy|passed away|died|death|ashes|grave|memorial|bereave\w*|mourning|miscarr\w*|lost the baby|condolences|hospice|(?:have|had|get|got) (?:\w+ )?put (?:down|to sleep)",
    }
)
# Words that point at a theme without settling it: two of them make it, one does not ("spent three euros
# on a pastry" does not make a travel diary about money).
_WEAK_THEMES = _lexicon(
    {
        "work": r"team|desk|emails?|report|launch|audit|release|printer|photocopier",
        "money": r"spen[dt]|spending|paid|pay|cost|price|cheap|pricey|euros?|pounds|dollars|quid|bucks|subscription|shopping",
        "exercise": r"walk(?:ed|ing)?|ran|run|swim(?:ming)?|bike|training|steps",
        "nature": r"grow|grew|growing|sunny|fresh air|outside",
        "home": r"kitchen|bedroom|living room|sofa|packed|packing|van|moved|moving",
        "travel": r"bus|car|drive|drove|driving|motorway|taxi|tickets?",
        "food": r"ate|eat|eating|snack|sandwich|cereal|toast|tart",
        "study": r"library|tests?|grades?",
    }
)
# Phrases with another sense than their words, read before the words and then blanked: the theme they
# name (None: no theme at all).
_THEME_SENSES = _phrases(
    [
        (r"of course|in due course|golf course|main course|(?:in|over) the course of", None),
        (r"bank holidays?", None),
        (r"run(?:ning)? for (?:the )?(?:\w+ )?(?:council|office|mayor|election|president|parliament|chair|committee)", None),
        (r"seed (?:round|funding|money|investment)|series [a-d] round", "work"),
        (
            r"budget (?:review|meeting|planning|approval|cuts?)|(?:q[1-4]|quarterly) (?:numbers|results|report|review)|(?:from|with) finance|finance (?:team|department)",
            "work",
        ),
        (
            r"(?:at|to) the plant|(?:power|chemical|processing|car|bottling|nuclear|treatment|manufacturing|packing) plant|plant (?:manager|floor|workers?)",
            "work",
        ),
        (r"(?:went|go|gone|going|put) to sleep for (?:the )?(?:last|final) time", "grief"),
        (r"pregnancy test|positive test", "health"),
        (r"grew (?:by )?\d+ ?%|(?:business|company|sales|revenue|profits?) (?:grew|growing|grow)", "work"),
        (r"passport office", "travel"),
        (r"spen[dt](?:ing)? (?:\w+ )?(?:euros?|pounds|dollars|quid|bucks|£\s?\d+|€\s?\d+|\$\s?\d+)", ("money", _WEAK)),
        (r"(?:yoga|pilates|dance|dancing|spin|fitness|exercise|gym|boxing|zumba|swim(?:ming)?|barre|hiit) class(?:es)?", "exercise"),
        (r"(?:cooking|baking) class(?:es)?", "food"),
        (r"(?:art|pottery|painting|drawing|music|guitar|piano|singing|writing|craft) class(?:es)?", "creativity"),
        (r"school (?:bus|run|gates?|pick-?up|drop-?off|holidays?|uniform|play|concert)", "family"),
        (
            r"spen[dt](?:ing)? (?:(?:the|a|an|all|most|half|every|two|three|four|five|six|several|many|some|my|our|\d+) )*(?:whole |entire |long |lazy )?"
            r"(?:morning|afternoon|evening|night|day|weekend|week|hour|minute|time|saturday|sunday|monday|tuesday|wednesday|thursday|friday|holiday|summer|winter)s?",
            None,
        ),
        (
            r"(?:ran|run|runs|running) (?:errands|out of|out|into|late|long|over|away|around|low|on (?:empty|fumes|caffeine|adrenaline|coffee|\w+ coffees?))",
            None,
        ),
        (
            r"(?:went|go|going|out) for a (?:run|jog)|(?:morning|evening|long|first|easy|slow) (?:run|jog)|(?:ran|run|running) (?:my |a |the )?(?:first )?\d+ ?k",
            "exercise",
        ),
        (r"(?:river|canal|lake|grassy|steep) ?banks?|banks? of the", "nature"),
        (r"in (?:her|his|their|my) sleep|put (?:\w+ )?to sleep|sleep on it", None),
        (r"walk(?:ed|ing)? (?:us|me|them|him|her) out|walk(?:ed|ing)? out (?:of|on)", None),
        (r"(?:first|next|baby|small|little|big|right|few) steps|steps (?:to|towards)", None),
        (r"\d[\d,]*k? steps", "exercise"),
        (
            r"(?:finally|eventually) work(?:ed|s)? out|(?:things|it|everything|that|this) (?:all )?work(?:ed|s)? out|work(?:ed)? out (?:how|what|why|where|that|in the end|well|fine)",
            None,
        ),
        (r"work(?:ed|ing)? out|workouts?", "exercise"),
        (r"(?:garden|yard) ?work", "nature"),
        (r"house ?work", "home"),
        (r"school ?work", "study"),
        (r"(?:post|ticket|box|booking|tourist) office", None),
        (r"(?:doctor'?s|dentist'?s|gp'?s) (?:office|surgery)", "health"),
        (r"(?:diy|home|house) projects?", "home"),
        (r"(?:art|craft|sewing|knitting|woodworking|lego|passion|side) projects?", "creativity"),
        (r"(?:school|science) projects?", "study"),
        (r"garden projects?", "nature"),
        (
            r"paint(?:ed|ing)? (?:the |my |our |a |her |his )?(?:new )?(?:flat|house|walls?|rooms?|kitchen|bedroom|bathroom|hallway|fence|door|ceiling|shed|nursery|living room|lounge|apartment)",
            "home",
        ),
        (r"(?:writ(?:e|ing)|wrote|finish(?:ed)? writing) (?:a|my|the) (?:novel|book|song|poem|story)", "creativity"),
        (
            r"sick (?:with|of|about|and tired)|(?:feel|felt|feeling) sick about|called in sick|(?:dog|cat|puppy|kitten)\b[^.]{0,12}\b(?:was|got|is) sick|sick on the",
            None,
        ),
        (r"(?:next|new) chapter|chapter of (?:my|our) life", None),
        (r"book (?=(?:a|an|the|our|my) (?:table|flight|room|trip|holiday|appointment|hotel|tickets?|taxi|cab|train|slot)\b)", None),
        (r"grow(?:ing|n)? up|grew up|grown-?ups?", None),
        (r"trip(?:ped|ping)? (?:over|on|up)", None),
        (r"flat (?:tyre|tire|white|out|rate|fee)|knocked (?:me|him|her) flat|fell flat|flat-?pack", None),
        (r"(?:phone|battery|laptop|computer|car|engine|charger|tv|telly|printer|wifi|router) (?:died|is dead|was dead|went dead)", None),
        (r"walk(?:ed|ing)? the dog|dog walk", "pets"),
    ]
)


# -- reading ---------------------------------------------------------------------------------------


@dataclass
class _Feeling:
    name: str
    strength: float
    word: str = ""
    at: int = 0


@dataclass
class _Clause:
    text: str
    compound: float
    feelings: list[_Feeling]

    def side(self, names: frozenset[str]) -> float:
        return max((f.strength for f in self.feelings if f.name in names), default=0.0)

    @property
    def valence(self) -> float:
        """VADER's reading, corrected by ours where ours names only one side: it misreads "heart racing"
        as happy and hears nothing in "Dad's funeral was today"."""
        positive, negative = self.side(_POSITIVE_FEELINGS), self.side(_NEGATIVE_FEELINGS)
        value = self.compound
        # A mild feeling ("a bit nervous") does not overrule VADER hearing the other side clearly.
        if positive and not negative and (positive > _MILD_FELT or value > -_FAINT):
            value = max(value, positive)
        elif negative and not positive and (negative > _MILD_FELT or value < _FAINT):
            value = min(value, -negative)
        if self.feelings and all(f.strength <= _MILD_FELT for f in self.feelings):
            value = max(-_MILD_CAP, min(_MILD_CAP, value))
        return value

    @property
    def sides(self) -> tuple[float, float]:
        """How strongly this clause reads positive and negative: both at once when it names both."""
        valence = self.valence
        return max(valence, self.side(_POSITIVE_FEELINGS)), max(-valence, self.side(_NEGATIVE_FEELINGS))

    @property
    def strong_sides(self) -> tuple[bool, bool]:
        """Whether each side is a feeling of its own: a side our words name must be strong, one VADER
        alone hears must be surer still."""
        positive, negative = self.sides
        return (
            positive >= (_STRONG if self.side(_POSITIVE_FEELINGS) else _VADER_STRONG),
            negative >= (_STRONG if self.side(_NEGATIVE_FEELINGS) else _VADER_STRONG),
        )


@dataclass
class _Sentence:
    text: str
    position: int
    clauses: list[_Clause]
    compound: float
    themes: dict[str, float]
    sarcastic: bool = False

    @property
    def feelings(self) -> list[_Feeling]:
        return [feeling for clause in self.clauses for feeling in clause.feelings]

    @property
    def valence(self) -> float:
        if self.sarcastic:
            return -max(abs(self.compound), _FELT)
        return _Clause(self.text, self.compound, self.feelings).valence

    def moments(self) -> list[tuple[float, float]]:
        """Each clause's (positive, negative) strength."""
        if self.sarcastic:
            return [(0.0, -self.valence)]
        return [clause.sides for clause in self.clauses]

    def strong_moments(self) -> list[tuple[bool, bool]]:
        if self.sarcastic:
            return [(False, True)]
        return [clause.strong_sides for clause in self.clauses]

    @property
    def salience(self) -> float:
        words = len(self.text.split())
        # Feeling carries most; a sentence naming a feeling or a subject outranks small talk, a fragment
        # or a run-on ranks lower.
        return abs(self.valence) + 0.3 * len(self.feelings) + 0.15 * len(self.themes) + (0.2 if 5 <= words <= 40 else 0)


def _sentences(text: str) -> list[str]:
    return [" ".join(part.split()) for part in _SENTENCE_END.split(text) if part and part.strip()]


def _clauses(sentence: str) -> list[str]:
    leading = _LEADING_CONCESSION.match(sentence)
    parts = [leading.group(1), leading.group(2)] if leading else [sentence]
    return [piece.strip() for part in parts for piece in _CONTRAST.split(part) if piece and piece.strip(" ,;")]


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _strength(text: str, start: int, word: str) -> float:
    before = text[max(0, start - 30) : start]
    if _HEDGE.search(before):
        return _MILD_FELT
    if _MILD.match(word) and not _INTENSIFIER.search(before):
        return _MILD_FELT
    return _FELT


def _feelings(text: str) -> tuple[list[_Feeling], str]:
    """The feelings a clause names or carries, and the clause with the phrases read blanked (what VADER reads)."""
    found: list[_Feeling] = []
    for phrase in _FEELING_PHRASES:
        for match in phrase.pattern.finditer(text):
            if not _negated(text, match.start()):
                found.extend(_Feeling(name, phrase.strength, match.group(0), match.start()) for name in phrase.names)
            text = _blank(text, match.start(), match.end())
    for name, pattern in EMOTIONS.items():
        for match in pattern.finditer(text):
            if _negated(text, match.start()):
                found.extend(_negation(name, text, match))
                continue
            found.append(_Feeling(name, _strength(text, match.start(), match.group(0)), match.group(0), match.start()))
    joy_at = [f.at for f in found if f.name == "joy"]
    found = [f for f in found if not (f.name == "sadness" and _CRYING.match(f.word) and any(abs(f.at - at) <= _NEARBY for at in joy_at))]
    if any(_LAUGHING.match(f.word) for f in found):
        found = [f for f in found if not (f.name == "frustration" and _MISHAP.fullmatch(f.word))]
    return found, text


def _negation(name: str, text: str, match: re.Match[str]) -> list[_Feeling]:
    """A negated feeling: "not happy" is a let-down, "not disappointed" a pleasure, "not worried any more"
    a relief; any other negated feeling is none."""
    if name in _NEGATED_JOY:
        return [_Feeling("disappointment", _FELT, match.group(0))]
    if name in {"disappointment", "guilt"}:
        return [_Feeling("joy", _FELT, match.group(0))]
    after, before = text[match.end() : match.end() + 40], text[max(0, match.start() - 40) : match.start()]
    if name in _NEGATIVE_FEELINGS and (_PASSED_AFTER.match(after) or _NO_LONGER.search(before)):
        return [_Feeling("relief", _FELT, match.group(0))]
    return []


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATED.search(text[max(0, start - 40) : start]))


def _theme_hits(text: str) -> dict[str, float]:
    hits: dict[str, float] = {}
    for pattern, sense in _THEME_SENSES:
        for match in pattern.finditer(text):
            if sense:
                theme, weight = sense if isinstance(sense, tuple) else (sense, 1.0)
                hits[theme] = hits.get(theme, 0.0) + weight
            text = _blank(text, match.start(), match.end())
    for table, weight in ((THEMES, 1.0), (_WEAK_THEMES, _WEAK)):
        for name, pattern in table.items():
            count = len(pattern.findall(text))
            if count:
                hits[name] = hits.get(name, 0.0) + weight * count
    return hits


def _read_clause(text: str) -> _Clause:
    feelings, rest = _feelings(text)
    return _Clause(text, _vader().polarity_scores(rest)["compound"], feelings)


def _read(text: str, position: int) -> _Sentence:
    clauses = [_read_clause(part) for part in _clauses(text)] or [_read_clause(text)]
    dismissed = [index - 1 for index, clause in enumerate(clauses) if index and _DISMISSAL.search(clause.text)]
    for index in dismissed:
        # "..., but nobody minded": the trouble before it counts for nothing, its good side still counts.
        clauses[index].feelings = [f for f in clauses[index].feelings if f.name in _POSITIVE_FEELINGS]
        clauses[index].compound = max(0.0, clauses[index].compound)
    if dismissed:
        compound = sum(clause.compound for clause in clauses) / len(clauses)
    elif len(clauses) > 1:
        # A sentence of several clauses is read whole as well: VADER weighs what follows a "but" more.
        compound = _vader().polarity_scores(_feelings(text)[1])["compound"]
    else:
        compound = clauses[0].compound
    return _Sentence(text, position, clauses, compound, _theme_hits(text))


def _bad(sentence: _Sentence) -> bool:
    return sentence.sarcastic or any(f.name in _NEGATIVE_FEELINGS for f in sentence.feelings) or sentence.compound <= -_FAINT


def _scare_quoted(text: str) -> list[str]:
    return [match.group(2).lower() for match in _SCARE_QUOTES.finditer(text) if not _QUOTING.search(text[: match.start()])]


def _mark_sarcasm(sentences: list[_Sentence]) -> None:
    """Irony: positive words said about a bad turn. Marked twice over so that a bare "Perfect." after an
    ironic sentence, or one repeating its praise ("Perfect. Absolutely perfect end to a perfect week"), is read too."""
    for _ in range(2):
        for index, sentence in enumerate(sentences):
            if sentence.sarcastic:
                continue
            neighbours = sentences[max(0, index - 1) : index] + sentences[index + 1 : index + 2]
            around_bad = _bad(sentence) or any(_bad(other) for other in neighbours)
            # Repeating the ironic word ("'relaxing' ... So relaxing.", "Perfect. Absolutely perfect end") keeps the irony going.
            echoed = (
                index > 0
                and sentences[index - 1].sarcastic
                and bool(_praise_words(sentences[index - 1]) & set(re.findall(r"[\w'-]+", sentence.text.lower())))
            )
            if (
                _IRONY.search(sentence.text)
                or _scare_quoted(sentence.text)
                or (_bad(sentence) and _IRONY_IF_BAD_HERE.search(sentence.text))
                or (around_bad and (_IRONY_IF_BAD.search(sentence.text) or _BARE_PRAISE.match(sentence.text)))
                or echoed
            ):
                sentence.sarcastic = True
    for sentence in sentences:
        if sentence.sarcastic:
            # The praise was not meant: its joy goes, the frustration under it stays.
            for clause in sentence.clauses:
                clause.feelings = [f for f in clause.feelings if f.name in _NEGATIVE_FEELINGS]
            sentence.clauses[0].feelings.append(_Feeling("frustration", _FELT))


def _praise_words(sentence: _Sentence) -> set[str]:
    return {word.lower() for word in re.findall(rf"\b(?:{_PRAISE})\b", sentence.text, re.IGNORECASE)} | set(_scare_quoted(sentence.text))


def _clip(text: str, limit: int = SUMMARY_MAX) -> str:
    if len(text) <= limit:
        return text
    shortened = textwrap.shorten(text, limit, placeholder="…")
    # Text without spaces (Japanese, Chinese, a long URL) has no word boundary near the limit: cut it there.
    return shortened if len(shortened) > limit // 2 else text[: limit - 1] + "…"


def _label(score: float, sentences: list[_Sentence], *, by_mood: bool = False) -> str:
    if by_mood:
        return "positive" if score >= _POSITIVE else "negative" if score <= _NEGATIVE else "neutral"
    moments = [moment for sentence in sentences for moment in sentence.strong_moments()]
    if any(positive for positive, _ in moments) and any(negative for _, negative in moments):
        return "mixed"
    named = {f.name for s in sentences for f in s.feelings}
    if not named and all(abs(s.valence) < _FAINT for s in sentences):
        return "neutral"
    # Feelings named on one side only settle a near-zero score that VADER's small weights ("security") blur.
    if named and abs(score) < _POSITIVE and (named <= _NEGATIVE_FEELINGS or named <= _POSITIVE_FEELINGS):
        return "negative" if named <= _NEGATIVE_FEELINGS else "positive"
    if score >= _POSITIVE:
        return "positive"
    if score <= _NEGATIVE:
        return "negative"
    return "neutral"


def _mood(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)  # also a Decimal from DynamoDB or a "4" from a form
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= 5 else None


def insight(data: Mapping[str, Any]) -> dict[str, Any]:
    """The insight of one entry: data = {"content", "title"?, "mood"? (1-5), "tags"?}."""
    content = str(data.get("content") or "").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    title = " ".join(str(data.get("title") or "").replace("\u2019", "'").split())
    raw_tags = data.get("tags") or ()
    tags = [str(tag) for tag in ([raw_tags] if isinstance(raw_tags, str) else raw_tags) if str(tag).strip()]

    sentences = [_read(text, index) for index, text in enumerate(_sentences(content))]
    _mark_sarcasm(sentences)
    heading = _read(title, -1) if title else None
    read = sentences or ([heading] if heading else [])

    # Sentences weigh by their own strength: a flat "I have three months of savings." does not dilute
    # "Got laid off this morning."
    weight = sum(abs(s.valence) for s in read)
    score = sum(s.valence * abs(s.valence) for s in read) / weight if weight else 0.0
    mood = _mood(data.get("mood"))
    by_mood = mood is not None and not any(s.valence for s in read)
    if by_mood and mood is not None:
        # Words neither reading understands (another language, a list of names): the writer's own mood
        # (1-5) is the only signal, taken at half strength.
        score = (mood - 3) / 4
    score = round(max(-1.0, min(1.0, score)), 3)

    everything = read + ([heading] if heading and sentences else [])
    summary = max(sentences, key=lambda s: (s.salience, -s.position)).text if sentences else title
    label = _label(score, read, by_mood=by_mood)
    return {
        "sentiment": {"score": score, "label": label},
        "emotions": _emotions(everything, label),
        "themes": _themes(everything, tags),
        "summary": _clip(summary) or "An entry without words.",
    }


def _emotions(sentences: list[_Sentence], label: str) -> list[dict[str, Any]]:
    found: dict[str, tuple[int, list[float]]] = {}
    for sentence in sentences:
        for feeling in sentence.feelings:
            hits, strengths = found.get(feeling.name, (0, []))
            found[feeling.name] = (hits + 1, [*strengths, max(abs(sentence.valence), feeling.strength)])
    # A side of the day that no word of ours names is still felt: joy on the bright side, sadness on the dark one.
    for names, fallback, side, labels in (
        (_POSITIVE_FEELINGS, "joy", 0, {"positive", "mixed"}),
        (_NEGATIVE_FEELINGS, "sadness", 1, {"negative", "mixed"}),
    ):
        if label in labels and not found.keys() & names:
            strongest = max((moment[side] for s in sentences if not s.sarcastic for moment in s.moments()), default=0.0)
            if strongest > 0:
                found[fallback] = (1, [strongest])
    order = list(EMOTIONS)
    ranked = []
    for name, (hits, strengths) in found.items():
        # Named more often and in stronger sentences reads as felt more strongly.
        intensity = min(1.0, 0.35 + 0.15 * (hits - 1) + 0.4 * sum(strengths) / len(strengths))
        ranked.append((round(intensity, 2), hits, -order.index(name), name))
    ranked.sort(reverse=True)
    return [{"name": name, "intensity": intensity} for intensity, _, _, name in ranked[:MAX_EMOTIONS]]


def _themes(sentences: list[_Sentence], tags: list[str]) -> list[str]:
    counts: dict[str, float] = {}
    for sentence in sentences:
        for name, weight in sentence.themes.items():
            counts[name] = counts.get(name, 0.0) + weight
    for tag in tags:
        # The writer's own tags say what the entry is about more surely than any one sentence.
        for name in set(_theme_hits(tag)) | ({tag.strip().lower()} & set(THEMES)):
            counts[name] = counts.get(name, 0.0) + 2
    order = list(THEMES)
    kept = [name for name, weight in counts.items() if weight >= _THEME_EVIDENCE]
    return sorted(kept, key=lambda name: (-counts[name], order.index(name)))[:MAX_THEMES]


def sample_data() -> dict[str, dict[str, Any]]:
    """An example input (for prompt checks and documentation)."""
    return {
        "journal.insight": {
            "content": (
                "Work was hectic again and the deadline moved up, so I felt stressed most of the morning. "
                "In the evening I went for a long walk by the river with my sister. "
                "I'm really grateful for her; we laughed about our old holidays and I finally felt calm."
            ),
            "title": "A long Tuesday",
            "mood": 4,
            "tags": ["family", "work"],
        }
    }


if __name__ == "__main__":  # pragma: no cover - a quick look: python -m zik.journal.offline
    import json

    print(json.dumps(insight(sample_data()["journal.insight"]), indent=2, ensure_ascii=False))
