"""journal.insight: the offline reading of an entry, its schema, its prompt and its registration."""

from __future__ import annotations

import importlib
import re

import pytest

import zik.journal.ai_tasks
from zik import ai, schemas
from zik.ai.errors import InvalidAnswer
from zik.journal import offline
from zik.journal.ai_tasks import insight_data

INSIGHT = ai.get("journal.insight")


def read(content: str, **extra: object) -> dict:
    answer = offline.insight({"content": content, **extra})
    assert INSIGHT.validate(answer) == answer
    assert schemas.validate("ai", "journal.insight", answer) == answer
    return answer


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("content", "label"),
    [
        ("Today was wonderful. I finished my project at work and my boss thanked me. I'm so proud and happy!", "positive"),
        ("I feel awful. I couldn't sleep again and I'm exhausted. Everything at work went wrong and I cried on the way home.", "negative"),
        ("I went to the store and bought bread. Then I took the bus. The meeting is at 10 tomorrow.", "neutral"),
        ("My grandmother died this morning and I am devastated. But my best friend came over and I felt so loved and grateful for her.", "mixed"),
    ],
)
def test_the_sentiment_label_follows_the_entry(content: str, label: str) -> None:
    sentiment = read(content)["sentiment"]
    assert sentiment["label"] == label
    if label == "positive":
        assert sentiment["score"] > 0.3
    elif label == "negative":
        assert sentiment["score"] < -0.3
    elif label == "neutral":
        assert sentiment["score"] == 0


def test_emotions_and_themes_are_found_strongest_first() -> None:
    answer = read(
        "Work was hectic and the deadline moved up, so I felt stressed all morning. "
        "In the evening I went for a long walk by the river with my sister. "
        "I'm really grateful for her; we laughed about our old holidays and I finally felt calm.",
        tags=["family"],
    )
    names = [e["name"] for e in answer["emotions"]]
    assert {"anxiety", "gratitude", "joy", "calm"} <= set(names)
    intensities = [e["intensity"] for e in answer["emotions"]]
    assert intensities == sorted(intensities, reverse=True) and all(0 < i <= 1 for i in intensities)
    assert answer["themes"][0] == "family"  # the tag and the sister
    assert {"work", "family", "nature"} <= set(answer["themes"])
    assert "travel" not in answer["themes"]  # holidays laughed about are a memory, not a trip


def test_a_negated_feeling_is_not_that_emotion() -> None:
    answer = read("I was not happy with the result. I'm not worried about the exam though. Never lonely here.")
    # "not happy" is a let-down, not joy; "not worried" and "never lonely" are no feeling at all.
    assert [e["name"] for e in answer["emotions"]] == ["disappointment"]
    assert "study" in answer["themes"]


def test_at_most_five_emotions_and_five_themes() -> None:
    answer = read(
        "I'm happy, grateful, calm, proud, hopeful, sad, anxious, angry, tired and lonely. "
        "Work, family, my partner, friends, health, sleep, the gym, money, exams, the forest and painting all crowd my head."
    )
    assert len(answer["emotions"]) == 5 and len(answer["themes"]) == 5


def test_the_summary_is_the_entrys_most_telling_sentence() -> None:
    content = "I woke up at seven.\nBreakfast was toast.\n\nThe interview went brilliantly and I got the job offer I have wanted for two years! Then I went home."
    answer = read(content)
    assert answer["summary"] == "The interview went brilliantly and I got the job offer I have wanted for two years!"
    assert answer["summary"] in flat(content)


def test_a_long_sentence_is_trimmed_at_a_word_boundary() -> None:
    sentence = "Today I walked along the harbour " + "and watched the boats come in " * 12 + "until the sun went down."
    summary = read(sentence)["summary"]
    assert len(summary) <= 200 and summary.endswith("…") and "\n" not in summary
    assert flat(sentence).startswith(summary[:-1]) and sentence[len(summary) - 1] == " "


def test_the_title_tags_and_mood_help_when_the_text_says_little() -> None:
    answer = read("Je suis allée au marché ce matin.", title="Samedi", mood=5, tags=["food"])
    assert answer["sentiment"] == {"score": 0.5, "label": "positive"}
    assert answer["themes"] == ["food"]
    assert read("Ich bin heute zu Hause geblieben.", mood=1)["sentiment"]["label"] == "negative"
    assert read("What an awful day.", mood=5)["sentiment"]["label"] == "negative"  # the words win when there are any


@pytest.mark.parametrize(
    "content",
    [
        "",
        "   ",
        "ok",
        "😊",
        "…",
        "今日は友達と公園に行きました。とても楽しかったです。",
        "Aujourd'hui j'ai marché dans le parc avec ma sœur. Il faisait beau.",
        "x" * 5000,
        "word " * 3000,
        "\n\n\n",
    ],
)
def test_short_odd_and_non_english_entries_still_get_a_valid_answer(content: str) -> None:
    answer = read(content)
    assert 1 <= len(answer["summary"]) <= 200
    if content.strip():
        assert answer["summary"].rstrip("…") in flat(content)


def test_a_non_english_entrys_summary_is_its_own_sentence() -> None:
    assert read("今日は友達と公園に行きました。とても楽しかったです。")["summary"] in {"今日は友達と公園に行きました。", "とても楽しかったです。"}


def test_an_empty_entry_falls_back_to_its_title() -> None:
    assert read("", title="A quiet Sunday")["summary"] == "A quiet Sunday"


def test_the_answers_are_deterministic() -> None:
    data = offline.sample_data()["journal.insight"]
    assert offline.insight(data) == offline.insight(dict(data))


# -- schema, prompt, registration ------------------------------------------------------------------


def test_the_schema_refuses_what_is_not_an_insight() -> None:
    good = read("A fine day at the beach.")
    for bad in (
        {**good, "sentiment": {"score": 1.5, "label": "positive"}},
        {**good, "sentiment": {"score": 0.2, "label": "ecstatic"}},
        {**good, "emotions": [{"name": "joy", "intensity": 2}]},
        {**good, "themes": ["a", "b", "c", "d", "e", "f"]},
        {**good, "summary": ""},
        {**good, "summary": "two\nlines"},
        {**good, "summary": "x" * 201},
        {**good, "advice": "sleep more"},
    ):
        with pytest.raises(InvalidAnswer):
            INSIGHT.validate(bad)


def test_the_prompt_renders_with_every_field() -> None:
    data = insight_data("I walked by the sea and felt free.", title="Sea", mood=4, tags=["nature", "walk"])
    prompt = INSIGHT.render(data)
    assert prompt.version == "journal.insight.v2"
    assert "calling the tool" in prompt.system and "$" not in prompt.system
    assert "<entry>\nI walked by the sea and felt free.\n</entry>" in prompt.user
    assert "Title: Sea" in prompt.user and "Mood (1 to 5): 4" in prompt.user and 'Tags: ["nature", "walk"]' in prompt.user
    assert "Mood (1 to 5): null" in INSIGHT.render(insight_data("Just a note.")).user
    assert INSIGHT.validate(INSIGHT.offline(data))
    with pytest.raises(ValueError, match="needs the field 'title'"):
        INSIGHT.render({"content": "no other fields"})


def test_the_task_is_registered_with_its_budget() -> None:
    assert (INSIGHT.max_tokens, INSIGHT.daily_calls, INSIGHT.temperature) == (600, 100, 0.2)
    data = offline.sample_data()["journal.insight"]
    assert INSIGHT.offline(data) == offline.insight(data)
    importlib.reload(zik.journal.ai_tasks)  # registering again from the same module is harmless
    assert ai.get("journal.insight").offline(data) == offline.insight(data)
    assert re.fullmatch(r"journal_insight", INSIGHT.tool_name)


def test_the_analyser_is_built_once_per_process() -> None:
    first = offline._vader()
    offline.insight({"content": "Another entry."})
    assert offline._vader() is first
