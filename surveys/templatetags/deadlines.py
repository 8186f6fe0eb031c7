"""`{{ moment|deadline }}`: a deadline as every page shows it ("onsdag 2 december 2026 kl. 23.59")."""

from django import template

from ..services.deadlines import format_deadline

register = template.Library()


@register.filter
def deadline(moment):
    return format_deadline(moment) if moment else ""
