"""Periods read as the law reads them (issue 9, items 2 and 3).

Edges: "最短公示期届满后方可申请" — applications from the day AFTER the minimum period's last day;
"公示期至X止" — shown on X, gone on X+1. Every consumer (record page, the enterprise's page, the notice,
the instant check, the public list and API, the expiry sweep) is asked on the day before, on and after.

Eras: the law in force on the decision date (令第58号 · 国办发〔2025〕22号 · 令第36号), the longest
period when one decision carries several penalty types or a special domain, and notices citing the
version they used.
"""

import datetime as dt
import html as html_lib
import re

import pytest
from pypdf import PdfReader
from rest_framework.test import APIClient

from repair.models import DishonestyRecord
from repair.process import application_submit
from repair.selectors import public_records
from repair.services.records import record_create, record_publish
from workflow.errors import ValidationFailed
from workflow.models import Document, Enterprise, User

D = dt.date
pytestmark = pytest.mark.django_db
USCC = "91410100AY4CL12THU"


def u(name):
    return User.objects.get(username=name)


def data(**over):
    return {
        "subject": {"uscc": USCC, "name": "X市恒信建材有限公司"},
        "type": "admin_penalty",
        "category": "general",
        "decision_number": "X市监罚〔2025〕118号",
        "decided_on": "2025-11-30",
        "facts": "销售不合格建材，货值金额3.2万元。",
        "basis": "《中华人民共和国产品质量法》第四十九条",
        "subject_address": "X市东区建材大道66号",
        "evidence": "现场检查笔录、抽样检验报告。",
        "obligations": [],
        **over,
    }


def make(travel, today="2026-11-01", **over) -> DishonestyRecord:
    travel(today)
    return record_create(data=data(**over), acting_user=u("penalty_officer"))


def text(response) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def notice_text(record) -> str:
    from workflow.documents import document_render

    doc = Document.objects.get(object_id=str(record.pk), doc_type="repair_notice")
    document_render(doc.pk)
    doc.refresh_from_db()
    with doc.file.open("rb") as fh:
        return "".join(p.extract_text() for p in PdfReader(fh).pages).replace("\n", "")


# --- the earliest application date: 2025-11-30 + 3 months = 2026-02-28, applications from 03-01 ------------


@pytest.mark.parametrize(
    "day, allowed",
    [("2026-02-28", False), ("2026-03-01", True), ("2026-03-02", True)],
)
def test_every_consumer_agrees_on_the_first_day_to_apply(demo, client, travel, day, allowed):
    record = make(travel, today="2025-12-01")
    assert record.earliest_repair_on == D(2026, 3, 1)
    travel(day)
    # the record page (officer) and the enterprise's own page
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(u("penalty_officer"))
    assert ("may apply now" in text(client.get(f"/staff/repair/records/{record.pk}/"))) is allowed
    client.force_login(u("enterprise_user"))
    mine = client.get("/staff/repair/mine/").content.decode()
    assert (f"/staff/repair/apply/?record={record.pk}" in mine) is allowed
    # the instant check (即申即办)
    application = application_submit(
        enterprise=Enterprise.objects.get(uscc=USCC),
        record_ids=[record.pk],
        correction="罚款已缴清。",
        proof_held_by_unit=True,
        commitment={"signer_name": "张伟", "accepted": True},
        acting_user=u("enterprise_user"),
    )
    assert application.eligible is allowed
    if not allowed:
        assert application.earliest_date == D(2026, 3, 1)
        assert [r["code"] for r in application.reasons] == ["too_early"]
        assert "2026-03-01" in application.reasons[0]["message"]


def test_the_notice_states_both_edges_as_the_law_does(demo, travel):
    text_ = notice_text(make(travel, today="2025-12-01"))
    assert "最短公示期届满后方可申请信用修复，即自2026年3月1日起可以申请" in text_
    assert "至2026年11月30日止，期满次日起自动停止公示" in text_


def test_leap_year_month_end(demo, travel):
    # 2027-11-30 + 3 months = 2028-02-29 (a leap year): applications from 2028-03-01.
    record = make(travel, today="2027-12-01", decided_on="2027-11-30", decision_number="L-1")
    assert (record.earliest_repair_on, record.publication_ends_on) == (D(2028, 3, 1), D(2028, 11, 30))
    assert "即自2028年3月1日起可以申请" in notice_text(record)


# --- the end of publication: "公示期至2026年11月30日止" ---------------------------------------------------


@pytest.mark.parametrize(
    "day, shown",
    [("2026-11-29", True), ("2026-11-30", True), ("2026-12-01", False)],
)
def test_the_public_list_and_the_sweep_agree_on_the_last_day(demo, client, travel, sweep, day, shown):
    record = record_publish(record=make(travel, today="2025-12-01"), acting_user=u("penalty_officer"))
    assert record.publication_ends_on == D(2026, 11, 30)
    travel(day)
    assert public_records().filter(pk=record.pk).exists() is shown
    assert (f"public-record-{record.pk}" in client.get("/public/records/").content.decode()) is shown
    assert (APIClient().get("/api/v1/public/records/").json()["count"] == 1) is shown
    sweep(D.fromisoformat(day))
    record.refresh_from_db()
    assert record.status == ("published" if shown else "expired")
    assert public_records().filter(pk=record.pk).exists() is shown


def test_publishing_on_the_last_day_is_still_allowed(demo, travel):
    record = make(travel, today="2025-12-01")
    travel("2026-11-30")
    assert record_publish(record=record, acting_user=u("penalty_officer")).status == "published"


# --- the law in force at the decision -------------------------------------------------------------------


@pytest.mark.parametrize(
    "over, earliest, ends, cites, not_cited",
    [
        # 令第58号 alone (before 国办发〔2025〕22号 of 2025-06-22): 3 months to 3 years.
        ({"decided_on": "2025-05-31"}, D(2025, 9, 1), D(2028, 5, 31), ["第58号"], ["22号", "第36号"]),
        ({"decided_on": "2025-06-21"}, D(2025, 9, 22), D(2028, 6, 21), ["第58号"], ["22号"]),
        # 特种设备 / 安全生产 / 消防 under 令第58号: at least 1 year.
        ({"decided_on": "2025-03-15", "domain": "fire"}, D(2026, 3, 16), D(2028, 3, 15), ["第58号"], ["22号"]),
        ({"decided_on": "2025-03-15", "domain": "special_equipment"}, D(2026, 3, 16), D(2028, 3, 15), [], []),
        # From 2025-06-22 both: each bound takes the reading more favourable to the subject.
        ({"decided_on": "2025-06-22"}, D(2025, 9, 23), D(2026, 6, 22), ["第58号", "22号"], ["第36号"]),
        ({"decided_on": "2025-11-30", "domain": "work_safety"}, D(2026, 3, 1), D(2026, 11, 30), ["第58号"], []),
        # 令第36号 from 2026-04-01.
        ({"decided_on": "2026-03-31"}, D(2026, 7, 1), D(2027, 3, 31), ["第58号", "22号"], ["第36号"]),
        ({"decided_on": "2026-04-01"}, D(2026, 7, 2), D(2027, 4, 1), ["第36号"], ["第58号", "22号"]),
        ({"decided_on": "2026-04-01", "domain": "fire"}, D(2026, 7, 2), D(2027, 4, 1), ["第36号"], []),
    ],
)
def test_the_periods_of_the_law_in_force_on_the_decision_date(demo, travel, over, earliest, ends, cites, not_cited):
    record = make(travel, **over)
    assert (record.earliest_repair_on, record.publication_ends_on) == (earliest, ends)
    notice = Document.objects.get(object_id=str(record.pk), doc_type="repair_notice")
    for c in cites:
        assert c in notice.context["periods_basis"] and c in record.periods_basis
    for c in not_cited:
        assert c not in notice.context["periods_basis"]


def test_records_decided_before_2026_04_01_never_use_the_2026_rules(demo, travel):
    from repair.periods import record_periods

    for decided in (D(2023, 5, 1), D(2025, 6, 21), D(2025, 6, 22), D(2026, 3, 31)):
        for category in ("minor", "general", "serious"):
            periods = record_periods(category=category, decided_on=decided, publish_minor=True, domain="fire")
            assert periods.rules and all(r.effective_to and r.effective_to <= D(2026, 3, 31) for r in periods.rules)
            assert "第36号" not in periods.cite
    with pytest.raises(ValidationFailed) as exc:  # no period rule before 令第58号
        make(travel, decided_on="2023-04-30")
    assert exc.value.code == "rule_not_in_force" and "decided_on" in exc.value.errors


@pytest.mark.parametrize(
    "category, types, tier, earliest, ends",
    [
        # A fine alone is the officer's tier; with 责令停产停业 (a general penalty) the longer period wins.
        ("minor", ["fine"], "minor", D(2026, 6, 10), None),
        ("minor", ["fine", "production_suspension"], "general", D(2026, 9, 11), D(2027, 6, 10)),
        ("general", ["fine", "license_revocation"], "serious", D(2027, 6, 11), D(2029, 6, 10)),
        ("serious", ["warning"], "serious", D(2027, 6, 11), D(2029, 6, 10)),  # never lowered
    ],
)
def test_the_longest_period_wins_when_a_decision_carries_several_penalty_types(
    demo, travel, category, types, tier, earliest, ends
):
    record = make(travel, decided_on="2026-06-10", category=category, penalty_types=types)
    assert (record.category, record.penalty_types) == (tier, types)
    assert (record.earliest_repair_on, record.publication_ends_on) == (earliest, ends)


def test_bad_penalty_types_or_domain_are_refused_with_nothing_written(demo, travel):
    travel("2026-11-01")
    with pytest.raises(ValidationFailed) as exc:
        record_create(data=data(penalty_types=["fine", "flogging"], domain="space"), acting_user=u("penalty_officer"))
    assert set(exc.value.errors) == {"penalty_types", "domain"}
    assert DishonestyRecord.objects.count() == Document.objects.count() == 0


def test_the_notice_cites_one_version_throughout(demo, travel):
    """A 2025 notice names the 2023 measures in its opening and in its time limits (it said
    《信用修复管理办法》, the 2026 title, while its time limits cited 令第58号)."""
    old = notice_text(make(travel, today="2025-12-01", decided_on="2025-05-31"))
    opening = old[old.index("根据") : old.index("和本市")]
    assert opening == "根据《失信行为纠正后的信用信息修复管理办法（试行）》（国家发展改革委令第58号）"
    limits = old[old.index("五、办理时限") :]
    assert "国家发展改革委令第58号" in limits and "第36号" not in old
    new = notice_text(make(travel, decided_on="2026-06-10", decision_number="N-1"))
    assert new[new.index("根据") : new.index("和本市")] == "根据《信用修复管理办法》（国家发展改革委令第36号）"
    assert "国家发展改革委令第36号" in new[new.index("五、办理时限") :] and "第58号" not in new


# --- penalty types and domain on every way in: the form, the API, the import ------------------------------


def test_the_record_form_takes_penalty_types_and_domain(demo, client, travel):
    travel("2026-06-11")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(u("penalty_officer"))
    form = {
        "subject_kind": "enterprise",
        "uscc": USCC,
        "name": "X市恒信建材有限公司",
        "type": "admin_penalty",
        "category": "minor",
        "decision_number": "F-1",
        "decided_on": "2026-06-10",
        "facts": "锅炉未经检验投入使用。",
        "basis": "《中华人民共和国特种设备安全法》第八十四条",
        "subject_address": "X市东区建材大道66号",
        "evidence": "现场检查笔录、抽样检验报告。",
        "penalty_types": ["fine", "production_suspension"],
        "domain": "special_equipment",
        "ob-TOTAL_FORMS": "0",
        "ob-INITIAL_FORMS": "0",
        "ob-MIN_NUM_FORMS": "0",
        "ob-MAX_NUM_FORMS": "10",
    }
    page = client.get("/staff/repair/records/new/").content.decode()
    assert 'value="production_suspension"' in page and 'value="special_equipment"' in page
    bad = client.post("/staff/repair/records/new/", {**form, "penalty_types": ["flogging"]})
    assert bad.status_code == 200 and DishonestyRecord.objects.count() == 0
    done = client.post("/staff/repair/records/new/", form)
    record = DishonestyRecord.objects.get()
    assert done.status_code == 302
    assert (record.category, record.penalty_types, record.domain) == (
        "general",
        ["fine", "production_suspension"],
        "special_equipment",
    )
    assert (record.earliest_repair_on, record.publication_ends_on) == (D(2026, 9, 11), D(2027, 6, 10))
    shown = text(client.get(f"/staff/repair/records/{record.pk}/"))
    assert "Penalty types fine、order to suspend production or business" in shown
    assert "Periods under 《信用修复管理办法》（国家发展改革委令第36号）" in shown
    assert "2027-06-10 the last day it is shown" in shown


def test_the_api_takes_penalty_types_and_domain(demo, travel):
    from rest_framework.authtoken.models import Token

    travel("2025-12-01")
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=u('penalty_officer'))[0].key}")
    body = {**data(decided_on="2025-03-15", decision_number="A-1"), "penalty_types": ["fine"], "domain": "fire"}
    bad = api.post("/api/v1/repair/records/", {**body, "penalty_types": ["fine", 7], "domain": "space"}, format="json")
    assert bad.status_code == 400 and DishonestyRecord.objects.count() == 0
    done = api.post("/api/v1/repair/records/", body, format="json")
    assert done.status_code == 201, done.json()
    got = done.json()
    assert (got["penalty_types"], got["domain"]) == (["fine"], "fire")
    assert (got["earliest_repair_on"], got["publication_ends_on"]) == ("2026-03-16", "2028-03-15")  # 令第58号: 1 year
    assert got["periods_basis"] == "《失信行为纠正后的信用信息修复管理办法（试行）》（国家发展改革委令第58号）"


def test_the_import_reads_penalty_types_and_domain_and_old_files_still_import(demo, travel):
    import io

    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    from repair.imports.services import XLSX_CONTENT_TYPE, record_import

    headers = ["主体统一社会信用代码", "主体名称", "信息类型", "失信类别", "轻微是否公示", "处罚种类", "领域"]
    headers += ["决定书文号", "决定日期", "失信事实", "法律依据", "罚款金额（元）", "罚款缴纳期限"]

    def upload(rows, heads=headers):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "失信信息"
        ws.append(heads)
        for r in rows:
            ws.append(r)
        buffer = io.BytesIO()
        wb.save(buffer)
        return SimpleUploadedFile("失信信息.xlsx", buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)

    base = [USCC, "X市恒信建材有限公司", "行政处罚", "轻微", "否"]
    tail = ["2026-06-10", "锅炉未经检验投入使用。", "《特种设备安全法》第八十四条", 20000, None]
    travel("2026-11-01")
    bad = record_import(upload=upload([base + ["罚款、鞭刑", "消防", "I-1", *tail]]), acting_user=u("penalty_officer"))
    assert [(e["row"], e["column"]) for e in bad.errors] == [(2, "处罚种类")] and not bad.created
    good = record_import(
        upload=upload([base + ["罚款、责令停产停业", "消防", "I-1", *tail], base + [None, None, "I-2", *tail]]),
        acting_user=u("penalty_officer"),
    )
    assert good.errors == []
    one, two = good.created
    assert (one.category, one.penalty_types, one.domain, one.earliest_repair_on) == (
        "general",
        ["fine", "production_suspension"],
        "fire",
        D(2026, 9, 11),
    )
    assert (two.category, two.penalty_types, two.domain, two.publication_ends_on) == ("minor", [], "", None)
    old_headers = [h for h in headers if h not in ("处罚种类", "领域")]
    old = record_import(upload=upload([base + ["I-3", *tail]], heads=old_headers), acting_user=u("penalty_officer"))
    assert old.errors == [] and old.created[0].penalty_types == []


def test_the_rule_rows_by_era_carry_their_dates_citations_and_verified_flags(db):
    from workflow.models import Rule

    rows = {(r.code, r.effective_from): r for r in Rule.objects.filter(code__startswith="publication.")}
    tiers = ("minor.max", "general.min", "general.max", "serious.min", "serious.max")
    assert not [k for k in rows if k[1] == D(2023, 5, 1) and k[0][12:] in tiers]  # 58号 has no tiers
    expected_58 = {"penalty.min": (3, "months"), "penalty.max": (3, "years"), "penalty.min.domain": (1, "years")}
    for code, (amount, unit) in expected_58.items():
        r = rows[(f"publication.{code}", D(2023, 5, 1))]
        assert (r.amount, r.unit, r.effective_to, r.verified) == (amount, unit, D(2026, 3, 31), False)
        assert "国家发展改革委令第58号" in r.basis and r.params["cite"].startswith("《失信行为纠正后")
    assert {"special_equipment", "work_safety", "fire"} <= set(
        rows[("publication.penalty.min.domain", D(2023, 5, 1))].params["domains"]
    )
    amounts = {"minor.max": 3, "general.min": 3, "general.max": 1, "serious.min": 1, "serious.max": 3}
    for tier in tiers:
        r22 = rows[(f"publication.{tier}", D(2025, 6, 22))]
        assert (r22.amount, r22.effective_to, r22.verified) == (amounts[tier], D(2026, 3, 31), True)
        assert "国办发〔2025〕22号" in r22.basis_document and r22.basis_article == "二、完善失信信息分类标准"
        r36 = rows[(f"publication.{tier}", D(2026, 4, 1))]
        assert (r36.amount, r36.effective_to) == (amounts[tier], None)
        assert "国家发展改革委令第36号" in r36.basis_document and "22号" not in r36.basis_document
        assert r36.verified is ("penalty_types" not in r36.params)


def test_a_record_decided_before_the_switch_and_repaired_after_it(demo, travel):
    """Transitional reading (docs/deadlines.md): the periods stay those of the decision date; the
    procedure of an application follows the rule in force when it is made."""
    from workflow.deadlines import deadlines_for

    record = make(travel, today="2026-03-31", decided_on="2026-03-31", decision_number="T-1")
    assert (record.earliest_repair_on, record.publication_ends_on) == (D(2026, 7, 1), D(2027, 3, 31))
    assert "第36号" not in record.periods_basis
    notice = Document.objects.get(object_id=str(record.pk), doc_type="repair_notice")
    assert "第58号" in notice.context["accept_basis"] and "第58号" in notice.context["periods_basis"]
    travel("2026-07-01")
    application = application_submit(
        enterprise=Enterprise.objects.get(uscc=USCC),
        record_ids=[record.pk],
        correction="罚款已缴清。",
        proof_held_by_unit=True,
        commitment={"signer_name": "张伟", "accepted": True},
        acting_user=u("enterprise_user"),
    )
    assert application.eligible
    accept = next(d for d in deadlines_for(application) if d.purpose == "accept")
    assert "第36号" in accept.rule.basis
    record.refresh_from_db()
    assert (record.earliest_repair_on, record.publication_ends_on) == (D(2026, 7, 1), D(2027, 3, 31))
