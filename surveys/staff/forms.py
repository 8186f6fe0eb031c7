"""Forms of the staff pages: log in, password reset, a round (new or edited), the inputs of actions, and
the choices for names a plan check did not know.

They only translate what a person typed into the arguments of services; every rule stays in the service,
whose Swedish messages are shown beside the fields."""

import hashlib
import re
from datetime import time

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError

from ..models import ROUND_COORDINATOR_FIELDS, ROUND_TEMPLATE_FIELDS, Organisation, Role, User
from ..permissions import can_read_rounds
from ..selectors_plan import norm_name
from ..services.deadlines import deadline_from_form
from ..services.rounds import recipients_chosen_check
from ..text import validate_single_line

STAFF_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.READER)


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, field_of: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError on the form (the staff pages' and the admin's): each message beside
    the field it names (`field_of` maps a service's field to the form's where they differ), the rest above
    the form."""
    details = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for name, texts in details.items():
        target = (field_of or {}).get(name, name)
        for text in texts:
            form.add_error(target if target in form.fields else None, text)


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
# A round: new or edited
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


def date_and_time(date_label, time_label, *, required, time_help):
    """A date field and its optional clock-time field, the pair every round form asks for (opens,
    deadline); `moment()` turns a pair into one instant."""
    return (
        forms.DateField(
            label=date_label, widget=DateInput(), error_messages={**DATE_ERRORS, "required": required}
        ),
        forms.TimeField(
            label=time_label,
            required=False,
            widget=TimeInput(),
            error_messages=TIME_ERRORS,
            help_text=time_help,
        ),
    )


END_OF_DAY = "Tomt betyder dagens slut, kl. 23.59."


def moment(data, prefix, *, default_time=None):
    """`<prefix>_on` with `<prefix>_time` as an aware instant. A date alone means `default_time` (08.00 for
    an opening) or, without one, the end of that day in Stockholm (deadlines.deadline_from_form)."""
    return deadline_from_form(data[f"{prefix}_on"], data.get(f"{prefix}_time") or default_time)


def _texts(label):
    return forms.CharField(
        label=label, required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 12})
    )


class RoundFieldsForm(forms.Form):
    """What a coordinator types for a round, new or edited: name, dates, reminders, grace period and the
    e-mail texts."""

    name = forms.CharField(
        label="Namn (valfritt)",
        required=False,
        max_length=300,
        help_text="Tomt ger enkätens namn.",
        validators=[validate_single_line],
    )
    opens_on, opens_time = date_and_time(
        "Öppnar (datum)",
        "Öppnar klockan",
        required="Ange när omgången öppnar.",
        time_help="Tomt betyder 08.00.",
    )
    deadline_on, deadline_time = date_and_time(
        "Sista svarsdag (datum)",
        "Sista svarsdag klockan",
        required="Ange sista svarsdag.",
        time_help=END_OF_DAY,
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
    invitation_subject = forms.CharField(
        label="Inbjudan: ämne", required=False, max_length=300, validators=[validate_single_line]
    )
    invitation_body = _texts("Inbjudan: text")
    reminder_subject = forms.CharField(
        label="Påminnelse: ämne", required=False, max_length=300, validators=[validate_single_line]
    )
    reminder_body = _texts("Påminnelse: text")

    def clean_remind_before(self):
        return _days(self.cleaned_data["remind_before"], "före")

    def clean_remind_after(self):
        return _days(self.cleaned_data["remind_after"], "efter")

    def round_fields(self):
        """The round's own fields as the services name them."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "opens_at": moment(data, "opens", default_time=time(8, 0)),
            "deadline": moment(data, "deadline"),
            "reminder_offsets": [-d for d in data["remind_before"]] + list(data["remind_after"]),
            "grace_hours": data["grace_hours"] or 0,
            **{name: data[name] for name in ROUND_TEMPLATE_FIELDS},
        }


class RoundForm(RoundFieldsForm):
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
    field_order = ["version", "year", "name", "kinds", "organisations"]

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = versions
        self.fields["version"].label_from_instance = _version_label

    def clean(self):
        data = super().clean()
        if not self.has_error("organisations"):
            try:
                recipients_chosen_check(organisation_ids=data.get("organisations"), kinds=data.get("kinds"))
            except ValidationError as error:
                self.add_error(None, error)
        return data

    def service_arguments(self):
        """The keyword arguments of rounds.round_create."""
        data = self.cleaned_data
        return {
            **self.round_fields(),
            "version": data["version"],
            "year": data["year"],
            "organisation_ids": [o.pk for o in data["organisations"]],
            "kinds": list(data["kinds"]),
        }


class RoundEditForm(RoundFieldsForm):
    """An existing round's fields and its named coordinator. Only what the coordinator changed goes to
    rounds.round_update, so an open round's unchanged dates are never "changed" by a form round trip."""

    coordinator_name = forms.CharField(
        label="Samordnare: namn", required=False, max_length=200, validators=[validate_single_line]
    )
    coordinator_title = forms.CharField(
        label="Samordnare: titel", required=False, max_length=200, validators=[validate_single_line]
    )
    coordinator_email = forms.EmailField(
        label="Samordnare: e-post",
        required=False,
        max_length=254,
        error_messages={"invalid": "Skriv en e-postadress, till exempel namn@kommun.se."},
    )
    coordinator_phone = forms.CharField(
        label="Samordnare: telefon", required=False, max_length=40, validators=[validate_single_line]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name = self.fields["name"]
        name.label, name.help_text, name.required = "Namn", "", True
        name.error_messages["required"] = "Ange omgångens namn."

    FIELDS_OF = {
        "opens_at": ("opens_on", "opens_time"),
        "deadline": ("deadline_on", "deadline_time"),
        "reminder_offsets": ("remind_before", "remind_after"),
    }

    def changes(self):
        """{service field: new value} of what the coordinator changed."""
        changed = set(self.changed_data)
        values = {**self.round_fields(), **{k: self.cleaned_data[k] for k in ROUND_COORDINATOR_FIELDS}}
        return {
            name: value
            for name, value in values.items()
            if changed.intersection(self.FIELDS_OF.get(name, (name,)))
        }


def _version_label(version):
    questionnaire = version.questionnaire
    programme = f" ({questionnaire.programme.name})" if questionnaire.programme_id else ""
    return f"{questionnaire.name}{programme} – {version.label or f'version {version.number}'}"


# --------------------------------------------------------------------------------------------------
# Inputs of actions
# --------------------------------------------------------------------------------------------------


class DeadlineForm(forms.Form):
    deadline_on, deadline_time = date_and_time(
        "Ny sista svarsdag (datum)",
        "Klockan",
        required="Ange den nya sista svarsdagen.",
        time_help=END_OF_DAY,
    )

    def deadline(self):
        return moment(self.cleaned_data, "deadline")


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


# --------------------------------------------------------------------------------------------------
# Names a plan check did not know
# --------------------------------------------------------------------------------------------------

PARTNER = "partner"


def name_field(name):
    """A stable form field name for a name from a plan (the name itself may hold any character)."""
    return "namn_" + hashlib.sha256(norm_name(name).encode()).hexdigest()[:12]


class NameChoicesForm(forms.Form):
    """One choice per name a plan check did not know: one of its suggested organisations (saved as
    another spelling), an external partner (stays on the plan, never asked), or nothing yet."""

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = {}
        for entry in entries:
            key = name_field(entry["name"])
            choices = [
                (f"org-{s['organisation']}", f"{s['name']} (likhet {round(s['score'])} av 100)")
                for s in entry["suggestions"]
            ]
            choices += [
                (PARTNER, "Extern samverkanspart: står kvar i planen men får ingen enkät"),
                ("", "Bestäm senare"),
            ]
            self.fields[key] = forms.ChoiceField(
                label=entry["name"],
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Välj ett av alternativen."},
            )
            self.entries[key] = entry

    @staticmethod
    def proposed(entries):
        """What the check proposes for each name: its best match, a partner, or nothing."""
        initial = {}
        for entry in entries:
            if entry["proposal"] == "alias" and entry["suggestions"]:
                initial[name_field(entry["name"])] = f"org-{entry['suggestions'][0]['organisation']}"
            elif entry["proposal"] == PARTNER:
                initial[name_field(entry["name"])] = PARTNER
        return initial

    def rows(self):
        """(bound field, its entry) in the report's order, for the page."""
        return [(self[key], entry) for key, entry in self.entries.items()]

    def decisions(self):
        """[(name, Organisation or None for a partner)] of every name decided."""
        chosen = {key: value for key, value in self.cleaned_data.items() if value}
        organisations = Organisation.objects.in_bulk(
            [int(v.removeprefix("org-")) for v in chosen.values() if v != PARTNER]
        )
        return [
            (
                self.entries[key]["name"],
                None if value == PARTNER else organisations[int(value.removeprefix("org-"))],
            )
            for key, value in chosen.items()
            if value == PARTNER or int(value.removeprefix("org-")) in organisations
        ]
