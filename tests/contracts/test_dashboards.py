"""The workbench charts of government contracts: exact figures on known data, and who sees what."""

import csv
import datetime as dt
import io
import re

import pytest

from contracts.complaints.process import complaint_submit, complaint_task
from contracts.services import contract_register, milestone_record_delivery, payment_record
from workflow.models import Agency, User

D = dt.date
pytestmark = pytest.mark.django_db

ARREARS = "/staff/contracts/dashboard/arrears.json"
WARNINGS = "/staff/contracts/dashboard/warnings.json"
COMPLAINTS = "/staff/contracts/dashboard/complaints.json"


def u(name):
    return User.objects.get(username=name)


def get(client, username, url, **params):
    client.force_login(u(username))
    return client.get(url, params)


def series(chart):
    return {s["name"]: s["data"] for s in chart["series"]}


def kpis(payload):
    return {k["label"]: k["value"] for k in payload["kpis"]}


@pytest.fixture
def two_agencies(q3, travel, sweep):
    """q3 (交通运输局: B owes 50,000.00 from 08-20, 30,000.00 repaid 08-25, the rest 10-10) and 教育局:
    80,000.00 due 08-05, in arrears from the sweep of 08-20, 20,000.00 repaid on 09-10."""
    clerk2 = u("agency_clerk2")
    travel("2026-07-02")
    c = contract_register(
        agency=Agency.objects.get(code="XJYJ"),
        data={
            "number": "JY-1",
            "title": "课桌椅采购",
            "kind": "goods",
            "procurement": False,
            "counterparty": {"name": "X市明达软件科技有限公司", "uscc": "91410105DD272HD1TJ", "size": "micro"},
            "amount": "80000.00",
            "signed_on": D(2026, 7, 1),
            "ends_on": D(2027, 6, 30),
            "payment_term_days": None,
            "milestones": [{"kind": "payment", "title": "货款", "amount": "80000.00", "planned_on": D(2026, 8, 1)}],
        },
        acting_user=clerk2,
    )
    m = c.milestones.get()
    travel("2026-07-10")
    milestone_record_delivery(milestone=m, delivered_on=D(2026, 7, 6), acting_user=clerk2)  # due 08-05
    sweep(D(2026, 8, 20))
    travel("2026-09-10")
    payment_record(contract=c, milestone=m, amount="20000", paid_on=D(2026, 9, 10), acting_user=clerk2)
    travel("2026-11-01")


def test_arrears_for_the_supervisor_by_agency_and_month(client, two_agencies):
    r = get(client, "supervisor", ARREARS, period="2026Q3")
    assert r.status_code == 200
    data = r.json()
    assert data["period"] == {"label": "2026Q3", "start": "2026-07-01", "end": "2026-09-30"}
    assert kpis(data) == {
        "拖欠账款笔数": 2,
        "拖欠金额": "130000.00",
        "已清偿金额": "50000.00",  # 30,000 (交通) + 20,000 (教育) by 09-30
        "化解率": 0.0,  # nothing resolved by 09-30
        "清偿率": 50000 / 130000,
        "目前尚未清偿（1 笔未结）": "60000.00",  # 教育局: 80,000 − 20,000; 交通 was resolved on 10-10
    }
    by_agency, by_month = data["charts"]
    assert by_agency["categories"] == ["X市交通运输局", "X市教育局"]
    assert series(by_agency) == {
        "拖欠金额": ["50000.00", "80000.00"],
        "已清偿金额": ["30000.00", "20000.00"],
        "化解率": [0.0, 0.0],
        "清偿率": [0.6, 0.25],
    }
    assert by_month["categories"] == ["2026-07", "2026-08", "2026-09"]  # both identified by the sweep of 08-20
    assert series(by_month) == {
        "拖欠金额": ["0.00", "130000.00", "0.00"],
        "已清偿金额": ["0.00", "50000.00", "0.00"],
        "化解率": [None, 0.0, None],
        "清偿率": [None, 50000 / 130000, None],
    }
    # The whole year, counted to its end: 交通运输局's case was resolved and repaid in full on 10-10.
    year = get(client, "supervisor", ARREARS, period="2026").json()
    assert series(year["charts"][0])["化解率"] == [1.0, 0.0]
    assert series(year["charts"][0])["清偿率"] == [1.0, 0.25]
    # Months run to this month (today is 2026-11-01), not to the end of the year.
    assert year["charts"][1]["categories"][-1] == "2026-11"


def test_arrears_as_a_table_and_csv(client, two_agencies):
    r = get(client, "supervisor", ARREARS, period="2026Q3", format="csv", chart="by_agency")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows == [
        ["单位", "拖欠金额", "已清偿金额", "化解率", "清偿率"],
        ["X市交通运输局", "50000.00", "30000.00", "0.0", "0.6"],
        ["X市教育局", "80000.00", "20000.00", "0.0", "0.25"],
    ]
    assert get(client, "supervisor", ARREARS, format="csv", chart="nope").status_code == 404


def test_the_agency_head_sees_only_their_agency(client, two_agencies):
    data = get(client, "agency_head", ARREARS, period="2026Q3").json()  # 交通运输局
    assert kpis(data)["拖欠金额"] == "50000.00" and kpis(data)["清偿率"] == 0.6
    assert kpis(data)["目前尚未清偿（0 笔未结）"] == "0.00"
    assert data["charts"][0]["categories"] == ["X市交通运输局"]
    assert series(data["charts"][1])["拖欠金额"] == ["0.00", "50000.00", "0.00"]


@pytest.mark.parametrize("username", ["enterprise_user", "agency_clerk", "penalty_officer", "window_clerk"])
@pytest.mark.parametrize("url", [ARREARS, WARNINGS, COMPLAINTS])
def test_other_roles_are_refused(client, demo, username, url):
    r = get(client, username, url)
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_anonymous_is_sent_to_log_in_and_a_bad_period_is_a_clear_error(client, demo):
    r = client.get(ARREARS)
    assert r.status_code == 302 and "/login/" in r["Location"]
    r = get(client, "supervisor", ARREARS, period="2026Q5")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid" and r.json()["field"] == "period" and "2026Q3" in r.json()["message"]


def test_open_warnings_by_level_and_age(client, two_agencies):
    from contracts.models import Warning

    # The sweep of 08-20 raised its warnings; count them as the warnings page does.
    open_now = Warning.objects.filter(status__in=Warning.OPEN_STATUSES)
    expected_total = open_now.count()
    assert expected_total > 0
    data = get(client, "supervisor", WARNINGS).json()
    by_age = data["charts"][0]
    assert by_age["categories"] == ["0–7", "8–30", "31–90", "91 天以上"]
    # Every open warning was raised on 08-20 or earlier, 73+ days before 11-01: none is in the first two bands.
    levels = series(by_age)
    assert list(levels) == ["提示", "预警", "严重"]
    assert all(v[0] == 0 and v[1] == 0 for v in levels.values())
    assert sum(sum(v) for v in levels.values()) == expected_total
    oldest = min(open_now.values_list("raised_on", flat=True))
    assert kpis(data)["待处理预警"] == expected_total
    assert kpis(data)["最早一条已开（天）"] == (D(2026, 11, 1) - oldest).days
    for level in Warning.Level:
        assert kpis(data)[str(level.label)] == open_now.filter(level=level).count()
    # The agency head: only 交通运输局's warnings.
    head = get(client, "agency_head", WARNINGS).json()
    assert kpis(head)["待处理预警"] == open_now.filter(agency__code="XJTJ").count()
    assert kpis(head)["待处理预警"] < expected_total


BODY = {
    "complainant": {"name": "X市恒信建材有限公司", "uscc": "91410100AY4CL12THU", "size": "small"},
    "contact": {"name": "张伟", "mobile": "13812345678"},
    "contract": {"number": "JT-2025-031", "signed_on": "2025-06-10"},
    "amount_claimed": "180000.00",
    "facts": "2025年9月交付的养护材料经验收合格，货款18万元至今未付，多次催要无果。",
    "declaration": True,
}


def handled(travel, *, agency, clerk, handled_on, ip, mobile):
    travel("2026-09-14")
    c = complaint_submit(
        data={**BODY, "respondent": {"agency": agency}, "contact": {"name": "张伟", "mobile": mobile}}, ip=ip
    )
    complaint_task(complaint=c, step="accept", user=u("complaint_officer"))
    complaint_task(complaint=c, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code=agency))
    travel(handled_on)
    complaint_task(
        complaint=c, step="handle", user=u(clerk), findings="经核实。", amount_confirmed=None, disputed=False
    )
    return c


def test_complaint_timeliness(client, demo, travel):
    from workflow.deadlines import deadlines_for

    on_time = handled(
        travel, agency="XJTJ", clerk="agency_clerk", handled_on="2026-09-30", ip="203.0.113.1", mobile="13800000001"
    )
    late = handled(
        travel, agency="XJYJ", clerk="agency_clerk2", handled_on="2026-11-20", ip="203.0.113.2", mobile="13800000002"
    )
    assert deadlines_for(on_time).get(purpose="handle").due_on >= D(2026, 9, 30)
    assert deadlines_for(late).get(purpose="handle").due_on < D(2026, 11, 20)
    travel("2026-11-25")
    data = get(client, "supervisor", COMPLAINTS, period="2026").json()
    assert kpis(data) == {
        "收到投诉": 2,
        "已办理": 2,
        "按时办理": 1,
        "按时办理率": 0.5,
        "平均办理天数": 41.5,  # 09-14 → 09-30 (16 days) and 09-14 → 11-20 (67 days)
        "满意率": None,
    }
    chart = data["charts"][0]
    assert chart["categories"] == ["X市交通运输局", "X市教育局"]
    assert series(chart) == {"已办理": [1, 1], "按时办理": [1, 0], "按时办理率": [1.0, 0.0]}
    head = get(client, "agency_head", COMPLAINTS, period="2026").json()
    assert kpis(head)["收到投诉"] == 1 and kpis(head)["按时办理率"] == 1.0
    assert head["charts"][0]["categories"] == ["X市交通运输局"]


def panels_on(page: str) -> list[str]:
    return re.findall(r'<section class="card dash-panel" id="([a-z-]+)"', page)


def row(head, *cells):
    labels = ("拖欠金额", "已清偿金额", "化解率", "清偿率")
    tds = "".join(f'<td class="num" data-label="{label}">{c}</td>' for label, c in zip(labels, cells, strict=True))
    return f'<tr><th class="card-head" scope="row">{head}</th>{tds}</tr>'


def test_the_workbench_shows_each_role_its_panels_with_the_figures_as_tables(client, two_agencies):
    client.force_login(u("supervisor"))
    page = client.get("/staff/").content.decode()
    assert panels_on(page) == [
        "panel-contracts-arrears",
        "panel-contracts-warnings",
        "panel-contracts-complaints",
        "panel-repair-measures",
    ]
    kpis_shown = dict(
        re.findall(r'<span class="kpi-value">([^<]*)</span><span class="kpi-label">([^<]*)</span>', page)[i][::-1]
        for i in range(6)
    )
    # The year 2026, counted to its end: 50,000 + 20,000 of 130,000 repaid; 交通运输局's case resolved.
    assert kpis_shown == {
        "拖欠账款笔数": "2",
        "拖欠金额": "130,000.00",
        "已清偿金额": "70,000.00",
        "化解率": "50.0%",
        "清偿率": "53.8%",
        "目前尚未清偿（1 笔未结）": "60,000.00",
    }
    # The by-agency chart's table, and the header of its columns.
    assert '<th scope="col">单位</th><th scope="col">拖欠金额</th>' in page
    assert row("X市交通运输局", "50,000.00", "50,000.00", "100.0%", "100.0%") in page
    assert row("X市教育局", "80,000.00", "20,000.00", "0.0%", "25.0%") in page
    assert 'data-chart-src="/staff/contracts/dashboard/arrears.json?period=2026" data-chart-id="by_agency"' in page
    csv_link = "/staff/contracts/dashboard/arrears.json?period=2026&amp;format=csv&amp;chart=by_agency"
    assert csv_link in page
    assert client.get(csv_link.replace("&amp;", "&")).status_code == 200
    assert 'src="/static/vendor/echarts/5.6.0/echarts.min.js"' in page
    assert not re.search(r'<script[^>]+src="(https?:)?//', page)  # no CDN
    # A chart with nothing to show says so instead of drawing empty axes (no complaints in this data).
    complaints = page[page.index('id="panel-contracts-complaints-by_agency"') :]
    complaints = complaints[: complaints.index("</figure>")]
    assert "本期暂无数据。" in complaints and "data-chart-src" not in complaints

    client.force_login(u("agency_head"))
    page = client.get("/staff/").content.decode()
    assert len(panels_on(page)) == 4
    assert row("X市交通运输局", "50,000.00", "50,000.00", "100.0%", "100.0%") in page
    assert "X市教育局" not in page

    client.force_login(u("penalty_officer"))
    assert panels_on(client.get("/staff/").content.decode()) == ["panel-repair-measures"]

    for username in ("agency_clerk", "enterprise_user"):
        client.force_login(u(username))
        page = client.get("/staff/").content.decode()
        assert panels_on(page) == [] and "echarts" not in page
