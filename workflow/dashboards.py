"""Dashboard panels on the workbench (工作台): a registry, and the shape every panel's figures share.

The engine names no domain app: each app registers its panels in `AppConfig.ready()` with
`dashboard_panel_register(...)`. A panel has a JSON endpoint in its own app (`url_name`), a predicate
saying who may see it, and a builder `build(*, user, start, end) -> payload` that reads through the
app's scoped selectors and metric functions. The workbench renders every panel the user may see:
its KPIs and, for each chart, a <canvas>-free container that static/js/dashboard.js fills with
Apache ECharts from the payload embedded in the page (json_script; the panel is built once per page,
the endpoint serves other periods and CSV), and the same figures as a table (and CSV) for screen readers,
printing and anyone who prefers numbers.

Payload (JSON-serialisable):

    {"key": "<app>.<panel>", "title": "...", "period": {"label", "start", "end"},
     "kpis": [{"label": "...", "value": <number|str|None>, "unit": "count|cny|rate|days"}],
     "charts": [{"id": "by_agency", "title": "...", "kind": "bar|line", "stack": bool,
                 "category_label": "...", "categories": [...],
                 "series": [{"name": "...", "unit": "...", "data": [...]}]}]}

Amounts (unit "cny") are strings with two decimals, as everywhere in the API; rates are fractions
(0.6 = 60 %) or None where there is nothing to divide by; days and counts are numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from workflow import clock
from workflow.errors import DomainError, NotFound

Builder = Callable[..., dict]


@dataclass(frozen=True)
class Panel:
    key: str
    order: int
    url_name: str
    visible: Callable[[Any], bool]
    build: Builder


_PANELS: dict[str, Panel] = {}


def dashboard_panel_register(
    *, key: str, order: int, url_name: str, visible: Callable[[Any], bool], build: Builder
) -> None:
    """Add (or replace, on a repeated ready()) a panel of the workbench."""
    _PANELS[key] = Panel(key=key, order=order, url_name=url_name, visible=visible, build=build)


def dashboard_panel(key: str) -> Panel:
    try:
        return _PANELS[key]
    except KeyError as exc:
        raise NotFound("No such dashboard.", "not_found") from exc


def dashboard_panels_for(user) -> list[Panel]:
    """The panels `user` may see, in workbench order."""
    return sorted((p for p in _PANELS.values() if p.visible(user)), key=lambda p: (p.order, p.key))


# -- the payload as a table and as CSV -----------------------------------------------------------


def figure_display(value, unit: str) -> str:
    """A figure as a person reads it: 60.0%, 150,000.00, 3.5, 12; — where there is nothing."""
    if value is None or value == "":
        return "—"
    if unit == "rate":
        return f"{float(value) * 100:.1f}%"
    if unit == "cny":
        return f"{Decimal(str(value)):,.2f}"
    if unit == "days":
        return f"{float(value):.1f}"
    return str(value)


def chart_table(chart: dict) -> dict:
    """One chart's figures as a table: a head (category label, then one column per series) and one row
    per category: its category and its cells as (series name, figure formatted for reading), the name
    labelling the cell when the table becomes a card on a phone."""
    head = [chart.get("category_label", ""), *(s["name"] for s in chart["series"])]
    rows = [
        {
            "category": category,
            "cells": [(s["name"], figure_display(s["data"][i], s["unit"])) for s in chart["series"]],
        }
        for i, category in enumerate(chart["categories"])
    ]
    return {"head": head, "rows": rows}


def chart_csv(payload: dict, chart_id: str) -> str:
    """One chart's figures as CSV (raw values: rates as fractions, amounts with two decimals)."""
    chart = next((c for c in payload["charts"] if c["id"] == chart_id), None)
    if chart is None:
        raise NotFound("No such chart.", "not_found")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([chart.get("category_label", ""), *(s["name"] for s in chart["series"])])
    for i, category in enumerate(chart["categories"]):
        # A name a spreadsheet would read as a formula is written as text.
        text = f"'{category}" if str(category)[:1] in ("=", "+", "-", "@") else category
        writer.writerow([text, *("" if s["data"][i] is None else s["data"][i] for s in chart["series"])])
    return out.getvalue()


def money(value) -> str:
    """An amount for the payload: a string with two decimals."""
    return f"{Decimal(value or 0):.2f}"


def share(num, den) -> float | None:
    return (float(num) / float(den)) if den else None


# -- the endpoint --------------------------------------------------------------------------------


def dashboard_panel_response(request, *, key: str, period_parse: Callable[[str], Any]) -> HttpResponse:
    """What a panel's JSON endpoint answers: 403 when the user may not see the panel, 400 for a period
    that cannot be read, else the payload for `?period=` (default: this year) as JSON, or one chart
    as CSV with `?format=csv&chart=<id>`. `period_parse(raw)` returns an object with label, start
    and end, or raises a DomainError."""
    user = request.user
    panel = dashboard_panel(key)
    if not panel.visible(user):
        return JsonResponse({"code": "forbidden", "message": _("You may not see this dashboard.")}, status=403)
    try:
        period = period_parse(request.GET.get("period") or str(clock.today().year))
    except DomainError as exc:
        return JsonResponse({"code": exc.code, "message": str(exc.message), "field": "period"}, status=400)
    payload = panel_payload(panel, user=user, period=period)
    if request.GET.get("format") == "csv":
        try:
            text = chart_csv(payload, request.GET.get("chart", ""))
        except NotFound as exc:
            return JsonResponse({"code": exc.code, "message": str(exc.message)}, status=404)
        response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
        filename = f"{key}-{request.GET.get('chart')}-{period.label}.csv".replace("..", "_")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


def panel_payload(panel: Panel, *, user, period) -> dict:
    payload = panel.build(user=user, start=period.start, end=period.end)
    return {
        "key": panel.key,
        "period": {"label": period.label, "start": period.start.isoformat(), "end": period.end.isoformat()},
        **payload,
    }


@dataclass(frozen=True)
class YearPeriod:
    label: str
    start: dt.date
    end: dt.date


def year_period(today: dt.date) -> YearPeriod:
    """The workbench's period: the calendar year of `today`."""
    return YearPeriod(str(today.year), dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))


def dashboard_panels_shown(user, *, period) -> list[dict]:
    """Every panel `user` may see, built for `period`, with what the workbench shows besides the chart:
    each KPI's display, and each chart's table; `url` is the panel's JSON endpoint for the period."""
    from django.urls import reverse
    from django.utils.http import urlencode

    shown = []
    for panel in dashboard_panels_for(user):
        payload = panel_payload(panel, user=user, period=period)
        url = reverse(panel.url_name) + "?" + urlencode({"period": period.label})
        shown.append(
            {
                **payload,
                "payload": payload,  # embedded in the page for the charts: they need not fetch it again
                "url": url,
                "dom_id": "panel-" + panel.key.replace(".", "-"),
                "data_id": "panel-" + panel.key.replace(".", "-") + "-data",
                "kpis": [{**k, "display": figure_display(k["value"], k["unit"])} for k in payload["kpis"]],
                "charts": [
                    {
                        **c,
                        # A chart with no figure at all (e.g. no decision yet: no days to count) is not drawn.
                        "has_data": any(v is not None for series in c["series"] for v in series["data"]),
                        "table": chart_table(c),
                        "csv_url": url + "&" + urlencode({"format": "csv", "chart": c["id"]}),
                    }
                    for c in payload["charts"]
                ],
            }
        )
    return shown
