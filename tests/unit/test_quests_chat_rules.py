"""The offline chat coach (``quests.chat``): what it recognises in a message and how it answers."""

from __future__ import annotations

import datetime as dt
import re

import pytest

import zik.quests.ai_tasks  # noqa: F401  (registers the quests tasks)
from zik import ai
from zik.quests import chat_rules

CHAT = ai.get("quests.chat")
TODAY = dt.date(2026, 3, 1)  # a Sunday
TOMORROW = TODAY + dt.timedelta(days=1)

GOAL_LIST = [
    {"goalId": "g1", "title": "Run a marathon", "status": "active", "targetDate": "2026-10-04", "milestonesDone": 1, "milestoneCount": 6},
    {"goalId": "g2", "title": "Write a novel", "status": "active", "targetDate": "", "milestonesDone": 0, "milestoneCount": 5},
]
# As the service gives them: the open tasks by title, then the done ones.
TODAY_TASKS = [
    {"taskId": "t3", "title": "Buy running shoes", "status": "todo", "goalId": "", "goalTitle": ""},
    {"taskId": "t2", "title": "Outline chapter 1", "status": "todo", "goalId": "g2", "goalTitle": "Write a novel"},
    {"taskId": "t1", "title": "Run 5k at an easy pace", "status": "todo", "goalId": "g1", "goalTitle": "Run a marathon"},
    {"taskId": "t4", "title": "Stretch for 10 minutes", "status": "done", "goalId": "g1", "goalTitle": "Run a marathon"},
]
TOMORROW_TASKS = [
    {"taskId": "t5", "title": "Long run: 8k", "status": "todo", "goalId": "g1", "goalTitle": "Run a marathon"},
    {"taskId": "t6", "title": "Write 500 words", "status": "todo", "goalId": "g2", "goalTitle": "Write a novel"},
]
FRENCH_GOALS = [{"goalId": "f1", "title": "Apprendre la guitare", "status": "active", "targetDate": "", "milestonesDone": 1, "milestoneCount": 4}]
FRENCH_TASKS = [
    {"taskId": "f2", "title": "Faire 20 minutes de gammes", "status": "todo", "goalId": "f1", "goalTitle": "Apprendre la guitare"},
    {"taskId": "f3", "title": "Prendre rendez-vous chez le dentiste", "status": "todo", "goalId": "", "goalTitle": ""},
]


def ask(message: str, goals: list | None = None, tasks: list | None = None, tomorrow: list | None = None, today: dt.date = TODAY) -> dict:
    answer = chat_rules.chat(
        {
            "message": message,
            "goals": GOAL_LIST if goals is None else goals,
            "todayTasks": TODAY_TASKS if tasks is None else tasks,
            "tomorrowTasks": TOMORROW_TASKS if tomorrow is None else tomorrow,
            "today": today.isoformat(),
        }
    )
    assert CHAT.validate(answer) == answer
    return answer


def ask_french(message: str) -> dict:
    answer = ask(message, goals=FRENCH_GOALS, tasks=FRENCH_TASKS, tomorrow=[])
    assert chat_rules.language(answer["reply"]) == "fr", answer["reply"]
    return answer


# -- goals -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("message", "title", "target"),
    [
        ("I want to learn Spanish", "Learn Spanish", None),
        ("my goal is to run a half marathon by June", "Run a half marathon", "2026-06-30"),
        ("help me save $5000", "Save $5000", None),
        ("Set a goal: read 12 books this year", "Read 12 books", "2026-12-31"),
        ("new goal - launch my Etsy shop", "Launch my Etsy shop", None),
        ("I'd like to finally learn the piano.", "Learn the piano", None),
        ("Hey! I'm going to get a job as a nurse, please", "Get a job as a nurse", None),
        ("I'd love to learn to cook", "Learn to cook", None),
        ("I want to finish my thesis by 2026-09-30", "Finish my thesis", "2026-09-30"),
        ("In 10 weeks I want to run a sub-25 5k", "Run a sub-25 5k", "2026-05-10"),
        ("je veux apprendre le piano d'ici juin", "Apprendre le piano", "2026-06-30"),
        ("Mon objectif : perdre 5 kilos dans 6 semaines", "Perdre 5 kilos", "2026-04-12"),
        ("j'aimerais écrire un livre d'ici la fin de l'année", "Écrire un livre", "2026-12-31"),
    ],
)
def test_a_goal_in_the_message_is_created_with_a_clean_title_and_its_target_date(message: str, title: str, target: str | None) -> None:
    answer = ask(message)
    assert answer["intent"] == "create_goal" and answer["goalTitle"] == title and answer.get("targetDate") == target
    assert title in answer["reply"] and "taskId" not in answer and "date" not in answer


def test_a_goal_is_answered_in_the_language_of_its_message() -> None:
    english, french = ask("I want to learn Spanish by May"), ask("je veux apprendre l'espagnol d'ici mai")
    assert "target date of 31 May 2026" in english["reply"]
    assert "31 mai 2026" in french["reply"] and chat_rules.language(french["reply"]) == "fr"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("by March", "2026-03-31"),  # said on 1 March: the end of this March is still ahead
        ("by April", "2026-04-30"),
        ("by February", "2027-02-28"),  # a month already past is next year's
        ("before June", "2026-05-31"),
        ("before my wedding in June", "2026-06-01"),
        ("avant mon mariage en juin", "2026-06-01"),
        ("by June 2027", "2027-06-30"),
        ("by mid-July", "2026-07-15"),
        ("by 15 August", "2026-08-15"),
        ("by August 15th", "2026-08-15"),
        ("by the 3rd of May 2027", "2027-05-03"),
        ("d'ici le 1er mai", "2026-05-01"),
        ("by 2026-09-30", "2026-09-30"),
        ("in 6 weeks", "2026-04-12"),
        ("within 3 months", "2026-06-01"),
        ("in a couple of weeks", "2026-03-15"),
        ("within a year", "2027-03-01"),
        ("dans 10 jours", "2026-03-11"),
        ("en 2 mois", "2026-05-01"),
        ("by the end of the year", "2026-12-31"),
        ("by the end of next month", "2026-04-30"),
        ("by the end of May", "2026-05-31"),
        ("d'ici la fin de l'année", "2026-12-31"),
        ("d'ici fin juin", "2026-06-30"),
        ("next month", "2026-04-30"),
        ("le mois prochain", "2026-04-30"),
        ("next year", "2027-12-31"),
        ("before next year", "2026-12-31"),
        ("this year", "2026-12-31"),
        ("by christmas", "2026-12-25"),
        ("d'ici noël", "2026-12-25"),
        # before an event is the day before it, as "before June" is the last day of May
        ("before Christmas", "2026-12-24"),
        ("avant Noël", "2026-12-24"),
        ("before Halloween", "2026-10-30"),
        ("by Easter", "2026-04-05"),
        ("before Easter", "2026-04-04"),
        ("before Thanksgiving", "2026-11-25"),
        ("by the new year", "2027-01-01"),
        # a year: its last day
        ("in 2026", "2026-12-31"),
        ("by 2027", "2027-12-31"),
        ("before 2028", "2027-12-31"),
        ("d'ici 2027", "2027-12-31"),
        ("en 2027", "2027-12-31"),
        # a season (meteorological, northern hemisphere): "by" it is ready when it starts, "in" it by its end
        ("by summer", "2026-05-31"),
        ("by next summer", "2026-05-31"),
        ("before the autumn", "2026-08-31"),
        ("this summer", "2026-08-31"),
        ("in the fall", "2026-11-30"),
        ("by the end of summer", "2026-08-31"),
        ("this winter", "2027-02-28"),
        ("d'ici l'été", "2026-05-31"),
        ("cet été", "2026-08-31"),
        ("au printemps", "2026-05-31"),
        ("by winter 2027", "2027-11-30"),
        # a day of the week: the next one
        ("by Friday", "2026-03-06"),
        ("before Friday", "2026-03-05"),
    ],
)
def test_a_deadline_is_the_day_a_person_means(text: str, day: str) -> None:
    found = chat_rules.deadline(f"I want to do it {text}", TODAY)
    assert found is not None and found.day.isoformat() == day


@pytest.mark.parametrize(
    "text", ["run 3 times a week", "save $100 every month", "I may run", "by 2025-06-30", "by the end of 2025", "in 2025", "walk 2026 steps"]
)
def test_no_deadline_is_read_where_there_is_none_or_it_is_past(text: str) -> None:
    assert chat_rules.deadline(text, TODAY) is None


def test_a_month_named_in_november_is_next_years() -> None:
    found = chat_rules.deadline("I want to run a 10k by March", dt.date(2026, 11, 20))
    assert found is not None and found.day == dt.date(2027, 3, 31)


def test_a_goal_the_user_already_has_is_not_created_twice() -> None:
    answer = ask("I want to run a marathon")
    assert answer["intent"] == "chat" and "already have" in answer["reply"]


@pytest.mark.parametrize(
    "message", ["I'll finish the outline of chapter 1 tonight", "I want to buy running shoes today", "I want to rest", "I want to quit"]
)
def test_a_plan_about_a_task_or_the_day_is_not_a_goal(message: str) -> None:
    assert ask(message)["intent"] == "chat"


@pytest.mark.parametrize(
    ("message", "title"),
    [("I want to quit smoking", "Quit smoking"), ("I need to stop drinking soda", "Stop drinking soda"), ("I want to have a baby", "Have a baby")],
)
def test_a_verb_that_is_talk_alone_is_a_goal_with_its_object(message: str, title: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "create_goal" and answer["goalTitle"] == title


# -- tasks finished ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("message", "task_id"),
    [
        ("I finished the 5k run", "t1"),
        ("done with outline chapter 1", "t2"),
        ("mark 'buy shoes' as done", "t3"),
        ("Just bought running shoes!", "t3"),
        ("Chapter 1 outline is done", "t2"),
        ("done: Outline chapter 1", "t2"),
        ("✓ Buy running shoes", "t3"),
        ("Buy running shoes ✅", "t3"),
        ("Run 5k at an easy pace - done", "t1"),
        ("finshed the outlien of chapter 1", "t2"),
        ("Did my 5k this morning", "t1"),
        ("can you mark the running shoes as done?", "t3"),
    ],
)
def test_a_finished_task_is_matched_by_its_words(message: str, task_id: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "complete_task" and answer["taskId"] == task_id
    title = next(t["title"] for t in TODAY_TASKS if t["taskId"] == task_id)
    assert title in answer["reply"] and "goalTitle" not in answer


@pytest.mark.parametrize(
    ("message", "task_id"),
    [
        ("I did task 2", "t2"),
        ("#3 done", "t1"),
        ("the second one is done", "t2"),
        ("first one's done", "t3"),
        ("finished number three", "t1"),
        ("2nd task done", "t2"),
        ("the last one is done", "t1"),
        ("2 done", "t2"),
        ("can you mark task 1 as done?", "t3"),
    ],
)
def test_a_number_is_the_place_of_an_open_task_in_the_list(message: str, task_id: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "complete_task" and answer["taskId"] == task_id


def test_the_task_is_read_from_the_sentence_that_says_it_is_done() -> None:
    assert ask("what a day! finally finished the 5k")["taskId"] == "t1"
    after = ask("Done! Now I need to buy running shoes")  # the shoes are what comes next, not what was done
    assert after["intent"] == "chat" and "Which one" in after["reply"]


def test_a_number_inside_a_title_is_not_a_place_in_the_list() -> None:
    tasks = [
        {"taskId": "a", "title": "Do 20 push-ups", "status": "todo", "goalTitle": ""},
        {"taskId": "b", "title": "Plan the week", "status": "todo", "goalTitle": ""},
        {"taskId": "c", "title": "Read chapter 2", "status": "todo", "goalTitle": ""},
    ]
    assert ask("I did task 2", tasks=tasks)["taskId"] == "b"
    assert ask("finished chapter 2", tasks=tasks)["taskId"] == "c"
    assert ask("I finished the first draft", tasks=[*tasks, {"taskId": "d", "title": "Write the first draft", "status": "todo"}])["taskId"] == "d"


def test_a_number_past_the_end_of_the_list_is_asked_about() -> None:
    answer = ask("task 7 is done")
    assert answer["intent"] == "chat" and "no task 7" in answer["reply"] and "1. Buy running shoes" in answer["reply"]


@pytest.mark.parametrize(
    "message",
    [
        "I didn't finish the run",
        "I haven't finished the outline yet",
        "should I do the run?",
        "did I already buy the running shoes?",
        "I'll finish the outline tonight",
        "I was going to buy the running shoes but didn't",
        "I skipped the run today",
        "is the run done?",
        "I did nothing today",
        "almost done with the outline",
    ],
)
def test_a_task_not_done_or_asked_about_is_not_completed(message: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "chat" and "taskId" not in answer


def test_a_question_about_a_task_says_where_it_stands() -> None:
    assert "still open" in ask("did I already buy the running shoes?")["reply"]
    assert "already done" in ask("did I stretch for 10 minutes?")["reply"]


@pytest.mark.parametrize("message", ["I finished the tax report", "I did it!", "done"])
def test_an_unclear_finished_task_is_asked_about(message: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "chat" and "taskId" not in answer
    assert "Which one" in answer["reply"] and "2. Outline chapter 1" in answer["reply"]


def test_a_task_already_done_is_not_completed_again() -> None:
    answer = ask("I finished stretching")
    assert answer["intent"] == "chat" and "already marked as done" in answer["reply"]


@pytest.mark.parametrize(("message", "task_id"), [("j'ai fini les gammes", "f2"), ("j'ai fait la tâche 2", "f3"), ("la première est faite", "f2")])
def test_a_finished_task_said_in_french(message: str, task_id: str) -> None:
    answer = ask_french(message)
    assert answer["intent"] == "complete_task" and answer["taskId"] == task_id


def test_french_negation_completes_nothing() -> None:
    for message in ("je n'ai pas fini les gammes", "j'ai rien fait aujourd'hui", "je vais finir les gammes ce soir"):
        assert ask_french(message)["intent"] == "chat"


# -- lists --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "message", ["what's on today?", "What should I do today", "my tasks", "show me my to-do list", "What's next?", "whats on for today"]
)
def test_asking_for_today_lists_the_open_tasks_numbered(message: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "list_tasks" and answer["date"] == TODAY.isoformat()
    assert "1. Buy running shoes\n2. Outline chapter 1 (for Write a novel)\n3. Run 5k at an easy pace (for Run a marathon)" in answer["reply"]
    assert "Stretch for 10 minutes" not in answer["reply"] and "Long run" not in answer["reply"]


@pytest.mark.parametrize(
    "message", ["what do I have tomorrow?", "what's on my plate tmrw", "show me tomorrow's tasks", "anything planned for tomorrow?"]
)
def test_asking_for_tomorrow_lists_tomorrows_tasks(message: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "list_tasks" and answer["date"] == TOMORROW.isoformat()
    assert "Long run: 8k" in answer["reply"] and "Write 500 words" in answer["reply"] and "Buy running shoes" not in answer["reply"]


def test_an_empty_day_is_said_with_a_suggestion() -> None:
    with_goal = ask("what's on today?", tasks=[])
    assert with_goal["intent"] == "list_tasks" and "Run a marathon" in with_goal["reply"]
    nothing = ask("what's on today?", goals=[], tasks=[])
    assert "don't have a goal yet" in nothing["reply"]
    empty_tomorrow = ask("what's on tomorrow?", tomorrow=[])
    assert empty_tomorrow["date"] == TOMORROW.isoformat() and "nothing on your list for tomorrow" in empty_tomorrow["reply"]


@pytest.mark.parametrize(
    ("message", "day"), [("qu'est-ce que j'ai aujourd'hui ?", TODAY), ("qu'est-ce que j'ai demain ?", TOMORROW), ("mes tâches de demain ?", TOMORROW)]
)
def test_lists_asked_in_french(message: str, day: dt.date) -> None:
    answer = ask_french(message)
    assert answer["intent"] == "list_tasks" and answer["date"] == day.isoformat()


# -- how a goal is going ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("message", ["how am I doing on my marathon goal?", "am I on track for the marathon?", "progress on the marathon?"])
def test_a_named_goal_gets_its_own_figures_and_no_other_goal(message: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "chat"
    assert "Run a marathon" in answer["reply"] and "1 of 6 milestones" in answer["reply"] and "4 October 2026" in answer["reply"]
    assert "Write a novel" not in answer["reply"] and "Outline chapter 1" not in answer["reply"]
    assert 'next: "Run 5k at an easy pace"' in answer["reply"]


def test_how_am_i_doing_names_every_goal() -> None:
    reply = ask("how am I doing?")["reply"]
    assert "Run a marathon" in reply and "Write a novel" in reply and "Today: 1 done, 3 open" in reply


def test_a_goals_progress_in_french() -> None:
    reply = ask_french("où en est mon objectif guitare ?")["reply"]
    assert "Apprendre la guitare" in reply and "1 sur 4" in reply


# -- talk ---------------------------------------------------------------------------------------------------------
TALK = ["hello", "I'm so tired today", "thanks!", "help me stay motivated", "lol", "I want to give up", "ugh, I don't want to buy the shoes"]


@pytest.mark.parametrize("message", TALK)
def test_anything_else_gets_a_supportive_reply_about_real_goals_and_tasks(message: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "chat" and set(answer) == {"reply", "intent"}
    assert "Run a marathon" in answer["reply"] or "Buy running shoes" in answer["reply"] or "Outline chapter 1" in answer["reply"]
    assert 1 <= len(answer["reply"]) <= 2000


@pytest.mark.parametrize("message", [*TALK, "what's on today?", "how am I doing?", "I didn't finish the run", "done", "should I do the run?"])
def test_a_task_is_never_named_beside_another_goal(message: str) -> None:
    """The issue's "replies that pair a task with the wrong goal": a sentence (or list line) that names a task
    names no goal but that task's own, and the venting reply names the first task's goal only if it has one."""
    reply = ask(message)["reply"]
    for sentence in re.split(r"\n|(?<=[.!?])\s+", reply):
        named = [t for t in TODAY_TASKS if t["title"] in sentence]
        for goal in GOAL_LIST:
            if named and goal["title"] in sentence:
                assert goal["title"] in {t["goalTitle"] for t in named}, reply


@pytest.mark.parametrize("message", ["I'm exhausted and behind on everything", "ugh, I don't want to buy the shoes", "lol"])
def test_a_task_of_no_goal_is_not_said_to_move_a_goal(message: str) -> None:
    """The first open task has no goal: the reply that makes it small names none (it used to name the first active goal)."""
    reply = ask(message)["reply"]
    assert "Buy running shoes" in reply and "Run a marathon" not in reply and "Write a novel" not in reply


def test_a_reply_talks_about_the_task_the_message_mentions() -> None:
    assert "Outline chapter 1" in ask("the outline feels hard")["reply"]


@pytest.mark.parametrize("message", ["Bonjour !", "merci beaucoup", "je suis crevé, j'ai pas le courage", "salut, je suis motivé aujourd'hui !"])
def test_french_talk_is_answered_in_french(message: str) -> None:
    assert ask_french(message)["intent"] == "chat"


def test_a_message_without_language_words_is_answered_in_the_language_of_the_users_titles() -> None:
    assert chat_rules.language("#2 ✓", ["Apprendre la guitare", "Faire 20 minutes de gammes"]) == "fr"
    assert chat_rules.language("#2 ✓", ["Run a marathon"]) == "en"


def test_odd_messages_still_give_valid_answers() -> None:
    for message in ("", "   ", "$$$", "goal:", "set a goal", "I want to " + "a" * 3000, "mark it as done?", "#99", "by March", "d'ici", "✓", "task"):
        ask(message)
        ask(message, goals=[], tasks=[], tomorrow=[])


def test_the_chat_schema_ties_each_field_to_its_intent() -> None:
    from zik.ai.errors import InvalidAnswer

    for wrong in (
        {"reply": "Hi", "intent": "chat", "goalTitle": "Learn Spanish"},
        {"reply": "Hi", "intent": "list_tasks", "taskId": "t1"},
        {"reply": "Hi", "intent": "sing"},
        {"reply": "Hi", "intent": "list_tasks", "targetDate": "2026-06-30"},
        {"reply": "Hi", "intent": "create_goal", "goalTitle": "Learn Spanish", "date": "2026-03-01"},
        {"reply": "Hi", "intent": "list_tasks", "date": "tomorrow"},
    ):
        with pytest.raises(InvalidAnswer):
            CHAT.validate(wrong)
    assert CHAT.validate({"reply": "Hi", "intent": "create_goal", "goalTitle": "Learn Spanish", "targetDate": "2026-06-30"})
    assert CHAT.validate({"reply": "Hi", "intent": "list_tasks", "date": "2026-03-02"})


def test_the_answers_are_deterministic() -> None:
    for message in ("what's on tomorrow?", "I want to learn Spanish by June", "#2 done", "how am I doing?"):
        assert ask(message) == ask(message)
