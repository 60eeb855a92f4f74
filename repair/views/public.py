"""The public list of what is published now, with search; no login (mounted at /public/records/)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from repair.forms import PublicSearchForm
from repair.selectors import public_records
from workflow import clock
from workflow.masking import mask_name

PUBLIC_PER_PAGE = 20


@require_GET
def public_record_list(request):
    """What is published now, searchable by enterprise name or USCC; no login."""
    form = PublicSearchForm(request.GET or None)
    q = form.cleaned_data["q"].strip() if form.is_bound and form.is_valid() else ""
    page = Paginator(public_records(q), PUBLIC_PER_PAGE).get_page(request.GET.get("page"))
    for r in page.object_list:
        r.public_name = r.enterprise.name if r.enterprise_id else mask_name(r.person_name)
    query = request.GET.copy()
    query.pop("page", None)
    response = render(
        request,
        "portal/records/list.html",
        {"form": form, "page": page, "q": q, "query": query.urlencode(), "today": clock.today()},
    )
    return response
