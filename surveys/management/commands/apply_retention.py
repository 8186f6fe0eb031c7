"""Apply the retention rules now (the scheduler does it daily): anonymise contacts past retention and
prune old outbox rows. With --dry-run, list the contacts that would be anonymised."""

from django.core.management.base import BaseCommand

from surveys.services import data_protection


class Command(BaseCommand):
    help = (
        "Anonymise contacts past CONTACT_RETENTION_MONTHS and prune outbox rows past OUTBOX_RETENTION_DAYS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List, change nothing.")

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            from django.utils import timezone

            due = data_protection.contacts_past_retention(now=timezone.now()).select_related("organisation")
            for contact in due:
                self.stdout.write(f"{contact.pk}\t{contact.organisation.name}")
            self.stdout.write(f"{len(due)} kontakter skulle anonymiseras.")
            return
        result = data_protection.retention_apply()
        self.stdout.write(
            f"Anonymiserade kontakter: {result['contacts_erased']}; avslutade sessioner: "
            f"{result['sessions_ended']}; rensade e-postmeddelanden: {result['emails_pruned']}."
        )
