from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_role_groups(sender, **kwargs):
    """After every migrate, the role groups hold exactly the permissions defined in code (new models
    included)."""
    from .services.roles import sync_role_groups

    sync_role_groups()


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Årsrunda")

    def ready(self):
        # Runs after auth has created the permissions of every app (post_migrate of each app, ours last
        # among the project's, since auth's handler is connected first).
        post_migrate.connect(_sync_role_groups, sender=self, dispatch_uid="surveys-sync-role-groups")

        from rest_framework import serializers

        from .api.fields import IdField

        # Every model serializer reads related ids strictly (1.5 is not an id); see IdField.
        serializers.ModelSerializer.serializer_related_field = IdField
