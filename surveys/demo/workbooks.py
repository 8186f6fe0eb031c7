"""The demo's plan and questionnaires written as the workbooks a coordinator fills in and uploads (bytes);
the loader imports them through the same services as an upload. No database here."""

import datetime

from exports import plan_io, questionnaire_workbook

from ..models import QuestionType


def _cell(number: str, title: str) -> str:
    return f"{number} {title}"


def plan(goals: list, activities: list, *, due: datetime.date) -> bytes:
    """The plan workbook: one row per indicator, and one per insatsområde without activities."""
    by_focus: dict[str, list] = {}
    for focus, number, title, when, lead, co, indicators in activities:
        for text, unit, target, split in indicators:
            by_focus.setdefault(focus, []).append(
                {
                    "activity": _cell(number, title),
                    "frequency": when,
                    "lead": lead,
                    "co": "; ".join(co),
                    "indicator": text,
                    "unit": unit,
                    "target": target,
                    "due_date": due,
                    "gender_split": "Ja" if split else "Nej",
                }
            )
    rows = []
    for number, title, areas in goals:
        for focus, focus_title in areas:
            cells = {"goal": _cell(number, title), "focus": _cell(focus, focus_title)}
            rows += [cells | row for row in by_focus.get(focus, [{}])]
    return plan_io.write_plan(rows)


def questionnaire(scheme: str, categories: list, sections: list) -> bytes:
    """A questionnaire workbook from the demo's compact description (data.PI_SECTIONS explains it)."""
    tables = {
        questionnaire_workbook.SETTINGS: [
            {"key": "Poängsättning", "value": scheme},
            {"key": "Skala till", "value": 100},
        ],
        questionnaire_workbook.SECTIONS: [{"title": title, "description": ""} for title, _, _ in sections],
        questionnaire_workbook.QUESTIONS: [],
        questionnaire_workbook.OPTIONS: [],
        questionnaire_workbook.RULES: [],
        questionnaire_workbook.CATEGORIES: [
            {"code": code, "name": name, "parent": parent or "", "cap": cap}
            for code, name, cap, parent in categories
        ],
    }
    for title, category, items in sections:
        for code, qtype, text, required, extra in items:
            condition = extra.get("condition") or ("", "", "")
            tables[questionnaire_workbook.QUESTIONS].append(
                {
                    "code": code,
                    "section": title,
                    "type": str(qtype),
                    "text": text,
                    "help": extra.get("help", ""),
                    "required": "Ja" if required else "Nej",
                    "condition_question": condition[0],
                    "condition_operator": condition[1],
                    "condition_value": condition[2],
                    "min": extra.get("min"),
                    "max": extra.get("max"),
                    "max_length": extra.get("max_length"),
                }
            )
            tables[questionnaire_workbook.OPTIONS] += [
                {"question": code, "code": option, "label": label}
                for option, label in extra.get("options", [])
            ]
            if category is None:
                continue
            # Yes/no questions give 1 point for "ja" unless they say otherwise.
            points = extra.get("points", {"ja": 1} if qtype == QuestionType.YES_NO else {})
            rules = [(option, None, value) for option, value in points.items()]
            rules += [("", threshold, value) for threshold, value in extra.get("thresholds", {}).items()]
            tables[questionnaire_workbook.RULES] += [
                {
                    "question": code,
                    "option": option,
                    "threshold": threshold,
                    "points": value,
                    "category": category,
                }
                for option, threshold, value in rules
            ]
    return questionnaire_workbook.write_questionnaire(tables)
