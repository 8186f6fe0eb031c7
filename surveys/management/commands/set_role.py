"""Give a user a staff role from the command line (the operator's path; the admin is the superuser's)."""

from django.core.management.base import BaseCommand, CommandError

from surveys.models import Role, User
from surveys.services.roles import user_set_role


class Command(BaseCommand):
    help = "Ge en användare en roll: admin, coordinator, reader eller respondent (gruppen följer rollen)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)

    def handle(self, *args, username, role, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Ingen användare heter {username}.")
        user_set_role(user=user, role=role, actor=None)
        self.stdout.write(f"{username}: {Role(role).label}")
