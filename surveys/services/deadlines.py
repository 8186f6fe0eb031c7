"""What a deadline means and how it is shown: a date alone is the end of that day in Stockholm; pages and
e-mails show date and time; reminders go out on a calendar day at a set local hour."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, timezone

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def deadline_from_date(d: date) -> datetime:
    """A deadline given as a date means the end of that day in Stockholm: 23:59:59 local time."""
    return datetime.combine(d, time(23, 59, 59), tzinfo=STOCKHOLM)


def deadline_from_form(day: date, at: time | None) -> datetime:
    """A deadline typed as a date and an optional time: that time of the day, or the end of the day
    when the time is left empty."""
    if at is None:
        return deadline_from_date(day)
    return timezone.make_aware(datetime.combine(day, at))


def format_deadline(moment: datetime) -> str:
    """How every page and e-mail shows a deadline: "onsdag 2 december 2026 kl. 23.59" (Stockholm time);
    texts put "senast" before it."""
    local = moment.astimezone(STOCKHOLM)
    return f"{formats.date_format(local, 'l j F Y')} kl. {local:%H.%M}"


def reminder_time(*, deadline: datetime, offset: int, hour: int | None = None) -> datetime:
    """When the reminder `offset` days from the deadline goes out: that calendar day (Stockholm) at the
    reminder hour, whatever the deadline's clock time and across summer time; Saturday and Sunday move
    to Monday."""
    hour = settings.REMINDER_HOUR if hour is None else hour
    day = deadline.astimezone(STOCKHOLM).date() + timedelta(days=offset)
    if day.weekday() >= 5:
        day += timedelta(days=7 - day.weekday())
    return datetime.combine(day, time(hour, 0), tzinfo=STOCKHOLM)
