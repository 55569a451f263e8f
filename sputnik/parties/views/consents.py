"""The consent panel of the person card: state per purpose × channel, record a consent
with its signed form, withdraw, and print the consent form (PDF) for a signature."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sputnik.core.roles import Right
from sputnik.documents import selectors as document_selectors
from sputnik.documents.consent_form import consent_form_pdf
from sputnik.documents.defaults import CONSENT_FORM_KEY
from sputnik.documents.models import Document, DocumentTemplate
from sputnik.documents.pdf import TemplateError
from sputnik.documents.services import consent_give_with_evidence
from sputnik.parties import selectors, services
from sputnik.parties.consent_state import CHANNELS, consent_matrix
from sputnik.parties.models import Consent, Person
from sputnik.parties.views._common import _done, _is_fragment
from sputnik.web.access import acting_user, require_right, service_errors, visible_or_404
from sputnik.web.forms import BootstrapFormMixin, apply_service_errors

GIVE_ERROR_MAP = {"channel": "channels", "upload": "file"}


class ConsentGiveForm(BootstrapFormMixin, forms.Form):
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), choices=Consent.Purpose.choices)
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Channels"),
        choices=Consent.Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    wording_version = forms.CharField(label=gettext_lazy("Wording version"), max_length=50)
    source = forms.ChoiceField(
        label=gettext_lazy("Source"),
        choices=Consent.Source.choices,
        initial=Consent.Source.SIGNED_FORM,
    )
    evidence = forms.CharField(
        label=gettext_lazy("Evidence"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("Form number or where the proof is kept; filled in from the file."),
    )
    file = forms.FileField(
        label=gettext_lazy("Signed form (PDF, JPEG, PNG or TIFF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.tif,.tiff"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class ConsentWithdrawForm(forms.Form):
    purpose = forms.ChoiceField(choices=Consent.Purpose.choices)
    channel = forms.ChoiceField(choices=Consent.Channel.choices)
    source = forms.CharField(max_length=100, required=False)


def _wording_version() -> str:
    try:
        return document_selectors.document_template(CONSENT_FORM_KEY).version
    except DocumentTemplate.DoesNotExist:
        return ""


def _panel_context(request: HttpRequest, person: Person) -> dict[str, Any]:
    actor = acting_user(request)
    grants = selectors.person_consents(actor=actor, person=person)
    evidence: dict[int, list[Document]] = {}
    documents = {d.pk: d for d in document_selectors.person_documents(actor=actor, person=person)}
    links = Document.consents.through.objects.filter(document_id__in=list(documents)).values_list(
        "consent_id", "document_id"
    )
    for consent_id, document_id in links:
        evidence.setdefault(consent_id, []).append(documents[document_id])
    for grant in grants:
        grant.evidence_documents = evidence.get(grant.pk, [])  # type: ignore[attr-defined]
    return {
        "person": person,
        "matrix": consent_matrix(grants),
        "channels": CHANNELS,
        "grants": grants,
        "documents": list(documents.values()),
        "can_edit": actor.has_right(Right.PARTY_EDIT),
        "languages": [("ru", "RU"), ("en", "EN")],
        "now": timezone.now(),
    }


@login_required
@require_GET
def person_consents(request: HttpRequest, person_id: int) -> HttpResponse:
    """The card's consent panel (an HTMX fragment, or a page of its own)."""
    person = visible_or_404(selectors.person_get, actor=acting_user(request), person_id=person_id)
    context = _panel_context(request, person)
    context["base_template"] = "web/fragment.html" if _is_fragment(request) else "base.html"
    return render(request, "parties/consents/panel_page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_consent_give(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = acting_user(request)
    person = visible_or_404(selectors.person_get, actor=actor, person_id=person_id)
    require_right(actor, Right.PARTY_EDIT)
    if request.method == "POST":
        form = ConsentGiveForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with service_errors():
                    consent_give_with_evidence(
                        actor=actor,
                        person=person,
                        purpose=data["purpose"],
                        channels=list(data["channels"]),
                        wording_version=data["wording_version"],
                        source=data["source"],
                        evidence=data["evidence"],
                        upload=data.get("file"),
                    )
            except ValidationError as exc:
                apply_service_errors(form, exc, GIVE_ERROR_MAP)
            else:
                messages.success(request, _("The consent has been recorded."))
                return _done(request, reverse("parties:person_detail", args=[person.pk]))
    else:
        form = ConsentGiveForm(
            initial={"wording_version": _wording_version(), "source": Consent.Source.SIGNED_FORM}
        )
    return render(
        request,
        "parties/consents/give.html",
        {
            "person": person,
            "form": form,
            "nav": "persons",
            "base_template": "web/fragment.html" if _is_fragment(request) else "base.html",
        },
    )


@login_required
@require_POST
def person_consent_withdraw(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = acting_user(request)
    person = visible_or_404(selectors.person_get, actor=actor, person_id=person_id)
    require_right(actor, Right.PARTY_EDIT)
    form = ConsentWithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid purpose and channel."))
    else:
        try:
            with service_errors():
                ended = services.consent_withdraw(
                    actor=actor,
                    person=person,
                    purpose=form.cleaned_data["purpose"],
                    channel=form.cleaned_data["channel"],
                    source=form.cleaned_data["source"]
                    or _("recorded by %(user)s") % {"user": actor.display_name},
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if ended:
                messages.success(request, _("The consent has been withdrawn."))
            else:
                messages.info(request, _("There was no valid consent to withdraw."))
    return _done(request, reverse("parties:person_detail", args=[person.pk]))


@login_required
@require_GET
def person_consent_form_pdf(request: HttpRequest, person_id: int) -> HttpResponse:
    """The consent form pre-filled with the person's data, to print and sign."""
    language = str(request.GET.get("language") or "")
    try:
        data, filename, _template = visible_or_404(
            consent_form_pdf,
            actor=acting_user(request),
            person_id=person_id,
            language=language if language in ("ru", "en") else None,
        )
    except TemplateError as exc:
        messages.error(
            request, _("The consent form template cannot be printed: %(e)s") % {"e": exc}
        )
        return _done(request, reverse("parties:person_detail", args=[person_id]))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
