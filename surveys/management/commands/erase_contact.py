"""Remove one contact's personal data (the same service as the API's /api/contacts/<id>/erase/)."""

from django.core.management.base import BaseCommand, CommandError

from surveys.models import Contact, User
from surveys.services import data_protection


class Command(BaseCommand):
    help = "Replace a contact's name, e-mail and phone by a neutral label; the answers stay."

    def add_arguments(self, parser):
        parser.add_argument("contact_id", type=int)
        parser.add_argument("--by", help="Username of the person who asked (recorded in the audit trail).")

    def handle(self, *args, contact_id, by=None, **options):
        contact = Contact.objects.filter(pk=contact_id).first()
        if contact is None:
            raise CommandError(f"Ingen kontakt med id {contact_id}.")
        actor = None
        if by:
            actor = User.objects.filter(username=by).first()
            if actor is None:
                raise CommandError(f"Ingen användare {by}.")
        try:
            counts = data_protection.contact_erase(contact=contact, actor=actor)
        except data_protection.AlreadyErased as done:
            raise CommandError(str(done)) from None
        self.stdout.write(f"Personuppgifterna är borttagna ({contact.name}): {counts}")
