"""Forms of the staff pages: log in, password reset, a new round, and the inputs of actions.

They only translate what a person typed into the arguments of services; every rule stays in the service,
whose Swedish messages are shown beside the fields."""

import re
from datetime import datetime, time

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import timezone

from ..models import Organisation, Role, User
from ..permissions import can_read_rounds
from ..services.deadlines import deadline_from_form

STAFF_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.READER)


class StaffLoginForm(AuthenticationForm):
    """Django's login form (so `authenticate(request=...)` and its throttling apply) in Swedish, for
    coordinators, readers and admins only."""

    error_messages = {
        "invalid_login": "Fel användarnamn eller lösenord. Tänk på att lösenordet skiljer på stora och små bokstäver.",
        "inactive": "Kontot är inte aktivt.",
        "not_staff": "Det här kontot har inte tillgång till sidorna för samordnare och läsare.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Användarnamn"
        self.fields["password"].label = "Lösenord"
        self.fields["username"].widget.attrs.pop("autofocus", None)

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not can_read_rounds(user):
            raise forms.ValidationError(self.error_messages["not_staff"], code="not_staff")


class StaffPasswordResetForm(PasswordResetForm):
    """A reset link goes only to staff accounts (respondents come by their personal links)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-postadress"

    def get_users(self, email):
        return (user for user in super().get_users(email) if user.is_superuser or user.role in STAFF_ROLES)


# --------------------------------------------------------------------------------------------------
# A new round
# --------------------------------------------------------------------------------------------------

KIND_CHOICES = [
    (Organisation.Kind.SDF, "Alla stadsdelsförvaltningar"),
    (Organisation.Kind.NAMND, "Alla nämnder"),
    (Organisation.Kind.FORVALTNING, "Alla förvaltningar"),
    (Organisation.Kind.BOLAG, "Alla bolag"),
]

DAYS = re.compile(r"^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$")


def _days(text, field):
    if not text.strip():
        return []
    if not DAYS.match(text):
        raise forms.ValidationError(
            f"Skriv dagarna {field} som heltal åtskilda med kommatecken, till exempel 14, 7, 2."
        )
    return [int(part) for part in text.split(",")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


DATE_ERRORS = {"invalid": "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2027-03-31."}
TIME_ERRORS = {"invalid": "Skriv klockslaget som TT:MM, till exempel 08:00."}


class RoundForm(forms.Form):
    version = forms.ModelChoiceField(
        label="Enkät och version",
        queryset=None,
        empty_label="Välj enkät",
        error_messages={
            "required": "Välj vilken enkät omgången ska skicka.",
            "invalid_choice": "Välj en enkät i listan.",
        },
    )
    year = forms.IntegerField(
        label="År",
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": "Ange vilket år omgången gäller.",
            "invalid": "Skriv året med fyra siffror.",
            "min_value": "Året måste vara 2000 eller senare.",
            "max_value": "Året måste vara 2100 eller tidigare.",
        },
    )
    name = forms.CharField(
        label="Namn (valfritt)", required=False, max_length=300, help_text="Tomt ger enkätens namn."
    )
    kinds = forms.MultipleChoiceField(
        label="Mottagare efter typ",
        choices=KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = forms.ModelMultipleChoiceField(
        label="Mottagare en och en",
        queryset=Organisation.objects.filter(is_active=True).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    opens_on = forms.DateField(
        label="Öppnar (datum)",
        widget=DateInput(),
        error_messages={**DATE_ERRORS, "required": "Ange när omgången öppnar."},
    )
    opens_time = forms.TimeField(
        label="Öppnar klockan",
        required=False,
        widget=TimeInput(),
        error_messages=TIME_ERRORS,
        help_text="Tomt betyder 08.00.",
    )
    deadline_on = forms.DateField(
        label="Sista svarsdag (datum)",
        widget=DateInput(),
        error_messages={**DATE_ERRORS, "required": "Ange sista svarsdag."},
    )
    deadline_time = forms.TimeField(
        label="Sista svarsdag klockan",
        required=False,
        widget=TimeInput(),
        error_messages=TIME_ERRORS,
        help_text="Tomt betyder dagens slut, kl. 23.59.",
    )
    remind_before = forms.CharField(
        label="Påminnelser, dagar före sista svarsdag",
        required=False,
        initial="14, 7, 2",
        help_text="Till exempel 14, 7, 2. Tomt: inga påminnelser före.",
    )
    remind_after = forms.CharField(
        label="Påminnelser, dagar efter sista svarsdag",
        required=False,
        initial="1",
        help_text="Till exempel 1. Tomt: ingen påminnelse efter.",
    )
    grace_hours = forms.IntegerField(
        label="Respittid (timmar)",
        required=False,
        min_value=0,
        max_value=24 * 60,
        initial=0,
        help_text="Utkast kan skickas in så här länge efter sista svarsdag.",
        error_messages={
            "invalid": "Skriv respittiden som ett heltal.",
            "min_value": "Respittiden kan inte vara negativ.",
        },
    )
    invitation_subject = forms.CharField(label="Inbjudan: ämne", required=False, max_length=300)
    invitation_body = forms.CharField(
        label="Inbjudan: text", required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 12})
    )
    reminder_subject = forms.CharField(label="Påminnelse: ämne", required=False, max_length=300)
    reminder_body = forms.CharField(
        label="Påminnelse: text", required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 12})
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = versions
        self.fields["version"].label_from_instance = _version_label

    def clean_remind_before(self):
        return _days(self.cleaned_data["remind_before"], "före")

    def clean_remind_after(self):
        return _days(self.cleaned_data["remind_after"], "efter")

    def clean(self):
        data = super().clean()
        if not data.get("kinds") and not data.get("organisations") and not self.has_error("organisations"):
            self.add_error(
                "organisations", "Välj mottagare: en typ av organisationer eller organisationer en och en."
            )
        return data

    def service_arguments(self):
        """The keyword arguments of rounds.round_create."""
        data = self.cleaned_data
        opens_at = timezone.make_aware(datetime.combine(data["opens_on"], data["opens_time"] or time(8, 0)))
        deadline = deadline_from_form(data["deadline_on"], data["deadline_time"])
        offsets = [-d for d in data["remind_before"]] + list(data["remind_after"])
        return {
            "version": data["version"],
            "year": data["year"],
            "name": data["name"],
            "opens_at": opens_at,
            "deadline": deadline,
            "organisation_ids": [o.pk for o in data["organisations"]],
            "kinds": list(data["kinds"]),
            "reminder_offsets": offsets,
            "grace_hours": data["grace_hours"] or 0,
            "invitation_subject": data["invitation_subject"],
            "invitation_body": data["invitation_body"],
            "reminder_subject": data["reminder_subject"],
            "reminder_body": data["reminder_body"],
        }


def _version_label(version):
    questionnaire = version.questionnaire
    programme = f" ({questionnaire.programme.name})" if questionnaire.programme_id else ""
    return f"{questionnaire.name}{programme} – {version.label or f'version {version.number}'}"


# --------------------------------------------------------------------------------------------------
# Inputs of actions
# --------------------------------------------------------------------------------------------------


class DeadlineForm(forms.Form):
    deadline_on = forms.DateField(
        label="Ny sista svarsdag (datum)",
        widget=DateInput(),
        error_messages={**DATE_ERRORS, "required": "Ange den nya sista svarsdagen."},
    )
    deadline_time = forms.TimeField(
        label="Klockan",
        required=False,
        widget=TimeInput(),
        error_messages=TIME_ERRORS,
        help_text="Tomt betyder dagens slut, kl. 23.59.",
    )

    def deadline(self):
        return deadline_from_form(self.cleaned_data["deadline_on"], self.cleaned_data["deadline_time"])


class OrganisationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=None,
        empty_label="Välj organisation",
        error_messages={
            "required": "Välj en organisation.",
            "invalid_choice": "Välj en organisation i listan.",
        },
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Arbetsbok (.xlsx)",
        error_messages={"required": "Välj en fil att ladda upp.", "empty": "Filen är tom."},
    )


class QuestionnaireUploadForm(UploadForm):
    label = forms.CharField(label="Benämning på den nya versionen (valfritt)", required=False, max_length=100)


def staff_users():
    return User.objects.filter(role__in=STAFF_ROLES)
