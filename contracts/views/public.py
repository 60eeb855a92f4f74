"""Public contract pages (公示), no login: the list with search and filters, and one contract.

Only published contracts appear; a withdrawn one is gone at once (404). Parts withheld by the
redaction review read "withheld under the law" (依法不予公开).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from contracts import selectors
from contracts.models import Contract
from contracts.publication import ocds
from contracts.publication.services import (
    Performance,
    contracts_with_overdue_payments,
    publication_public_get,
    publications_public,
)
from workflow import money
from workflow.errors import NotFound
from workflow.forms import choice_field
from workflow.fragments import fragment
from workflow.pagination import CappedPaginator
from workflow.reverse import url_pattern

if TYPE_CHECKING:
    from contracts.publication.services import PublicPublication

PER_PAGE = 20


class PublicContractFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    agency = forms.TypedChoiceField(label=_("Contracting agency"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Performance"), required=False)
    year = forms.TypedChoiceField(label=_("Year signed"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, agencies, years, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["q"].widget.attrs.update(
            type="search", placeholder=_("Contract number, title, agency or counterparty")
        )
        choice_field(self, "agency").choices = every + list(agencies)
        choice_field(self, "kind").choices = every + list(Contract.Kind.choices)
        choice_field(self, "status").choices = every + list(Performance.labels().items())
        choice_field(self, "year").choices = every + [(y, str(y)) for y in years]

    def filters(self) -> dict:
        """The valid filters; an invalid one (a stale link, a typed URL) is ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or "",
            "agency": data.get("agency"),
            "kind": data.get("kind") or "",
            "performance": data.get("status") or "",
            "year": data.get("year"),
        }


def _row(publication: PublicPublication) -> dict:
    hidden = set(publication.redacted or [])
    performance = Performance.of(publication.contract.status, publication.has_overdue)
    return {
        "publication": publication,
        "contract": publication.contract,
        "hide_amount": "amount" in hidden,
        "hide_counterparty": "counterparty" in hidden,
        "hide_milestones": "milestones" in hidden,
        "hide_payments": "payments" in hidden,
        "performance": performance,
        "performance_label": Performance.labels()[performance],
    }


# What the list shows (_list_rows), and nothing more.
LIST_COLUMNS = (
    "status",  # an FSMField (protected) is read when the row is built: deferred, it costs a query a row
    "redacted",
    "contract__status",
    "contract__title",
    "contract__number",
    "contract__amount",
    "contract__signed_on",
    "contract__agency__name",
    "contract__counterparty__name",
)


def _list_rows(publications) -> list[dict]:
    """The list's rows as the template prints them: labels, links, amounts and dates made once here
    rather than per row by template tags and includes. A withheld part is None."""
    detail = url_pattern("public-contract-detail")
    labels = Performance.labels()
    publications = list(publications)
    overdue = contracts_with_overdue_payments([p.contract_id for p in publications if not hasattr(p, "has_overdue")])
    rows = []
    for publication in publications:
        contract = publication.contract
        hidden = set(publication.redacted or [])
        has_overdue = getattr(publication, "has_overdue", None)
        performance = Performance.of(contract.status, contract.pk in overdue if has_overdue is None else has_overdue)
        rows.append(
            {
                "pk": contract.pk,
                "url": detail.format(contract.pk),
                "title": contract.title,
                "number": contract.number,
                "agency": contract.agency.name,
                "counterparty": None if "counterparty" in hidden else contract.counterparty.name,
                "amount": None if "amount" in hidden else money.rmb(contract.amount),
                "signed_on": contract.signed_on.isoformat() if contract.signed_on else "",
                "performance": performance,
                "performance_label": labels[performance],
            }
        )
    return rows


@require_GET
def public_contract_list(request):
    facets = selectors.public_facets()

    # Unfiltered, the form is only needed to render its cached fragment: built on a miss only.
    def make_form(data=None):
        return PublicContractFilterForm(data, agencies=facets["agencies"], years=facets["years"])

    form = make_form(request.GET) if request.GET else None
    filters = form.filters() if form is not None else {}
    query = request.GET.copy()
    query.pop("page", None)

    def results() -> dict:
        # Whether a contract has overdue payments: in the query only to filter by it; otherwise for the
        # page's rows alone (as an EXISTS per row of the whole list, PostgreSQL hashed every overdue
        # payment milestone: 0.96 s at 1M contracts).
        publications = publications_public(**filters, with_overdue=bool(filters.get("performance")))
        publications = publications.only(*LIST_COLUMNS)
        page = CappedPaginator(publications, PER_PAGE, cached=selectors.PUBLICATION_COUNTS).get_page(
            request.GET.get("page")
        )
        return {
            "page": page,
            "rows": _list_rows(page.object_list),
            "filtered": any(filters.values()),
            "query": query.urlencode(),
            "feed_url": reverse("api-ocds-releases"),
        }

    return render(
        request,
        "portal/contracts/list.html",
        {
            "form_html": fragment(
                "portal/contracts/_filters.html",
                lambda: {"form": form or make_form(), "filtered": any(filters.values())},
                # Unfiltered, the form is the same for every visitor while the facets are.
                key=None if request.GET else ("public-contract-filters", repr(facets)),
            ),
            # Unfiltered, the first page is the same for every visitor: kept PUBLIC_LIST_SECONDS under a
            # version that any save of what it shows changes in this process (a withdrawal drops it at
            # once here; another process's copy is at most that old). Filtered pages are read fresh.
            "results_html": fragment(
                "portal/contracts/_results.html",
                results,
                key=None if request.GET else ("public-contract-results", selectors.public_list_version()),
                seconds=selectors.PUBLIC_LIST_SECONDS,
            ),
        },
    )


@require_GET
def public_contract_detail(request, pk: int):
    try:
        publication = publication_public_get(pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    row = _row(publication)
    contract = publication.contract
    row.update(
        milestones=list(contract.milestones.all()),
        payments=list(contract.payments.all()),
        ocid=ocds.ocid_for(contract.pk),
        feed_url=reverse("api-ocds-releases"),
        withheld=[label for key, label in WITHHELD_LABELS.items() if key in (publication.redacted or [])],
    )
    return render(request, "portal/contracts/detail.html", row)


WITHHELD_LABELS = {
    "amount": _("amounts"),
    "milestones": _("performance milestones"),
    "payments": _("payments"),
    "counterparty": _("counterparty"),
}
