"""The texts of invitations and reminders: the default templates, the placeholders a coordinator may use,
their check, and rendering one message. Rounds (preview, editing) and the outbox (sending) both use it."""

import string

from ..models import Assignment, SurveyRound
from .deadlines import format_deadline

PLACEHOLDERS = {
    "organisation": "organisationens namn",
    "deadline": "sista svarsdag",
    "link": "den personliga länken",
    "round": "omgångens namn",
    "year": "år",
    "status": "hur långt organisationen har kommit (påminnelser)",
}

DEFAULT_INVITATION_SUBJECT = "Enkät: {round} {year}"
DEFAULT_INVITATION_BODY = """Hej!

{organisation} är inbjuden att besvara enkäten {round} {year}.

Öppna enkäten med er personliga länk:
{link}

Svara senast {deadline}. Ni kan spara och fortsätta senare, och flera kolleger kan arbeta med svaret.
Länken är personlig: vidarebefordra den bara till kolleger på {organisation}.
"""
DEFAULT_REMINDER_SUBJECT = "Påminnelse: {round} {year}, svara senast {deadline}"
DEFAULT_REMINDER_BODY = """Hej!

Det här är en påminnelse om enkäten {round} {year} till {organisation}.
{status}

Öppna enkäten med er personliga länk:
{link}

Svara senast {deadline}.
"""

STATUS_TEXT = {
    "not_started": "Ni har inte börjat besvara enkäten ännu.",
    "draft": "Ni har påbörjat ett svar som ännu inte är inskickat.",
    "reopened": "Ert svar har öppnats igen och behöver skickas in på nytt.",
}


def template_errors(text: str) -> list[str]:
    """Swedish messages for placeholders that do not exist or braces that do not pair up."""
    try:
        names = [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]
    except ValueError:
        return ["Klammerparenteserna { } går inte ihop. Skriv {{ och }} för en klammer i texten."]
    unknown = sorted({n for n in names if n not in PLACEHOLDERS})
    if unknown:
        allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        return [f"Okänd platshållare {{{n}}}. Tillåtna: {allowed}." for n in unknown]
    return []


def templates_of(survey_round: SurveyRound) -> dict[str, str]:
    return {
        "invitation_subject": survey_round.invitation_subject or DEFAULT_INVITATION_SUBJECT,
        "invitation_body": survey_round.invitation_body or DEFAULT_INVITATION_BODY,
        "reminder_subject": survey_round.reminder_subject or DEFAULT_REMINDER_SUBJECT,
        "reminder_body": survey_round.reminder_body or DEFAULT_REMINDER_BODY,
    }


def status_text(status: str, remaining: int | None = None) -> str:
    """What a reminder says about the situation: not started, or a draft with N required questions left."""
    text = STATUS_TEXT.get(status, "")
    if status in ("draft", "reopened") and remaining is not None:
        if remaining == 0:
            text += " Alla obligatoriska frågor är besvarade – glöm inte att skicka in."
        elif remaining == 1:
            text += " 1 obligatorisk fråga är obesvarad."
        else:
            text += f" {remaining} obligatoriska frågor är obesvarade."
    return text


def render(
    kind: str,
    *,
    survey_round: SurveyRound,
    assignment: Assignment,
    link: str,
    status: str = "not_started",
    remaining: int | None = None,
    templates: dict[str, str] | None = None,
) -> tuple[str, str]:
    """(subject, body) of an invitation or a reminder for one assignment."""
    templates = templates or templates_of(survey_round)
    values = {
        "organisation": assignment.organisation.name,
        "deadline": format_deadline(assignment.deadline),
        "link": link,
        "round": survey_round.name,
        "year": survey_round.year,
        "status": status_text(status, remaining),
    }
    subject = templates[f"{kind}_subject"].format(**values)
    body = templates[f"{kind}_body"].format(**values)
    return " ".join(subject.split()), body
