"""The AI evaluation suite: ``python -m zik_local.eval`` (``make eval``) runs each task's cases through each
provider alone, along the production path, grades the answers with the task's rubric and prints a score per
task and provider, next to the targets the product sets (runner.TARGETS).

    cases/<task>.json                  {"task": "quests.plan", "cases": [{"id", "data", "expect", "why"}, ...]}
                                       "data" is the AI task's input exactly as the service passes it to ai.run;
                                       "expect" is read by the rubric only; dates are literals ("today" is data);
                                       an image task's case names its photo: "image": a path under cases/;
                                       "heldOut": true marks a case written before the rules it tests and never
                                       tuned on: the report gives those apart, the honest estimate
    rubrics/<task, dots as _>.py       TASK = "quests.plan"; HEADLINE = "<check name>" or None (every check);
                                       grade(case, answer) -> list[Check] (answer already valid against the
                                       task's schema; an image task's answer is the image's bytes);
                                       answer(case) only for a task no provider answers (journal.search)
    checks.py                          Check, and the helpers rubrics share (dates, words, grammar, language)

A case file's other top-level keys (a journal many cases search) reach the rubric as ``case["shared"]``.
"""
