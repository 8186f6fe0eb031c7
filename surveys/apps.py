from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Årsrunda")

    def ready(self):
        from rest_framework import serializers

        from .api.fields import IdField

        # Every model serializer reads related ids strictly (1.5 is not an id); see IdField.
        serializers.ModelSerializer.serializer_related_field = IdField
