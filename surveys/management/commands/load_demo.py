"""manage.py load_demo: the demo world (idempotent) and a few fresh respondent links to try."""

from django.conf import settings
from django.core.management.base import BaseCommand

from surveys.demo import DEMO_PASSWORD, load_demo
from surveys.models import Contact
from surveys.services.tokens import issue_token, link_for


def describe(assignment):
    if assignment.response.state == "draft":
        return "utkast påbörjat" if assignment.first_opened_at else "ej påbörjad"
    return assignment.response.get_state_display().lower()


class Command(BaseCommand):
    help = "Load the demo data (safe to run again) and print a few respondents' links."

    def add_arguments(self, parser):
        parser.add_argument(
            "--links", type=int, default=3, help="How many respondent links to print (0 for none)."
        )

    def handle(self, *args, **options):
        world = load_demo()
        current = world["current_round"]
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {current} is open, {world['last_round']} is published.")
        )
        self.stdout.write(
            f"  Staff pages:  {settings.SITE_URL}/personal/logga-in/   (samordnare / {DEMO_PASSWORD}; "
            "reader slk / demo-lasare)"
        )
        self.stdout.write(f"  API docs:     {settings.SITE_URL}/api/docs/")
        if options["links"]:
            self.stdout.write("  Respondent links (new each time; only their hashes are stored):")
            assignments = list(
                current.assignments.select_related("organisation", "response").order_by("organisation__name")
            )

            # Show the situations worth trying first: a draft in progress, one not started, one submitted.
            def interest(a):
                return {"draft": 0 if a.first_opened_at else 1, "submitted": 2}.get(a.response.state, 3)

            by_kind = {}
            for assignment in assignments:
                by_kind.setdefault(interest(assignment), []).append(assignment)
            # Round-robin over the kinds, so three links show three situations.
            ordered = [a for group in zip(*by_kind.values(), strict=False) for a in group]
            ordered += [a for a in assignments if a not in ordered]
            for assignment in ordered[: options["links"]]:
                contact = (
                    Contact.objects.filter(organisation=assignment.organisation, is_active=True)
                    .order_by("email")
                    .first()
                )
                if contact is None:
                    continue
                raw = issue_token(assignment=assignment, contact=contact)
                self.stdout.write(
                    f"    {assignment.organisation.name:<22} ({describe(assignment)}): {link_for(raw)}"
                )
