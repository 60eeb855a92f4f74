"""The project's URLs plus /bench/ceiling/: a 50-row table rendered from the site's base template
without touching the database, the ceiling the list pages are measured against (bench only)."""

import datetime as dt

from django.shortcuts import render
from django.urls import include, path

ROWS = [
    {
        "number": f"HT2026-{i:06d}",
        "title": "道路养护服务采购",
        "agency": "X市交通运输局",
        "counterparty": "X市恒信建材有限公司",
        "amount": "300,000.00",
        "signed_on": dt.date(2026, 10, 1),
        "status": "履行中",
    }
    for i in range(50)
]


def ceiling(request):
    return render(request, "bench_ceiling.html", {"rows": ROWS})


urlpatterns = [path("bench/ceiling/", ceiling), path("", include("config.urls"))]
