"""Dishonesty records: publication windows, dual notices (双书同达), publication, expiry, reminders."""

import datetime as dt

import pytest
from django.utils import translation
from pypdf import PdfReader

from repair.models import DishonestyRecord
from repair.services.records import record_create, record_publish, record_serve_notices
from workflow.errors import Conflict, PermissionDenied, ValidationFailed
from workflow.models import Delivery, Document, Notification, OutboxMessage, User

D = dt.date
pytestmark = pytest.mark.django_db


def data(**over):
    return {
        "subject": {"uscc": "91410100AY4CL12THU", "name": "X市恒信建材有限公司"},
        "type": "admin_penalty",
        "category": "general",
        "publish": False,
        "decision_number": "X市监罚〔2025〕118号",
        "decided_on": "2025-11-30",
        "facts": "销售不合格建材，货值金额3.2万元。",
        "basis": "《中华人民共和国产品质量法》第四十九条",
        "subject_address": "X市高新区科学大道100号",
        "evidence": "现场检查笔录、抽样检验报告。",
        "obligations": [{"kind": "fine", "amount": "50000.00", "due_on": "2025-12-15"}],
        **over,
    }


def make(officer, travel, today="2025-12-01", **over):
    travel(today)
    return record_create(data=data(**over), acting_user=officer)


def pdf_text(doc):
    from workflow.documents import document_render

    document_render(doc.pk)
    doc.refresh_from_db()
    with doc.file.open("rb") as fh:
        return "".join(p.extract_text() for p in PdfReader(fh).pages).replace("\n", "")


@pytest.mark.parametrize(
    "category, decided, publish, earliest, ends",
    [
        # 3 months from a month end end on 02-28: applications from 03-01 (令第58号 and 22号 agree);
        # published "至2026-11-30止" (22号's 1 year, lighter than 令第58号's 3 years).
        ("general", "2025-11-30", False, D(2026, 3, 1), D(2026, 11, 30)),
        ("general", "2026-05-31", False, D(2026, 9, 1), D(2027, 5, 31)),  # 令第36号
        ("general", "2027-11-30", False, D(2028, 3, 1), D(2028, 11, 30)),  # leap year: 3 months end 2028-02-29
        ("serious", "2026-04-01", False, D(2027, 4, 2), D(2029, 4, 1)),  # 令第36号: 1 to 3 years
        ("minor", "2026-06-10", False, D(2026, 6, 10), None),  # not published; repair once duties are done
        ("minor", "2026-06-10", True, D(2026, 6, 10), D(2026, 9, 10)),  # published: at most 3 months
    ],
)
def test_publication_windows_by_category(officer, travel, category, decided, publish, earliest, ends):
    today = "2027-12-01" if decided.startswith("2027") else "2026-11-01"
    r = make(officer, travel, today=today, category=category, decided_on=decided, publish=publish)
    assert (r.earliest_repair_on, r.publication_ends_on) == (earliest, ends)


def test_dual_notices_are_issued_in_one_act_and_name_the_essentials(officer, travel):
    r = make(officer, travel)
    decision = Document.objects.get(doc_type="penalty_decision")
    notice = Document.objects.get(doc_type="repair_notice")
    assert decision.doc_number == "X市监罚〔2025〕118号"  # the decision's own number
    assert notice.doc_number == "X市监信修告〔2025〕1号"
    for doc in (decision, notice):
        text = pdf_text(doc)
        assert "X市恒信建材有限公司" in text and "X市监罚〔2025〕118号" in text
    text = pdf_text(notice)
    assert "自2026年3月1日起可以申请" in text  # the day after the minimum period's last day (02-28)
    assert "至2026年11月30日止" in text
    assert "行政处罚决定书" in pdf_text(decision) and "伍万元整" in pdf_text(decision)
    assert r.status == "recorded"


def test_the_rules_in_force_on_the_decision_date_apply(officer, travel):
    before = make(officer, travel, today="2026-04-02", decided_on="2026-03-31", decision_number="A-1")
    after = make(officer, travel, today="2026-04-02", decided_on="2026-04-01", decision_number="A-2")
    assert "第58号" in Document.objects.get(object_id=str(before.pk), doc_type="repair_notice").context["accept_basis"]
    assert "第36号" in Document.objects.get(object_id=str(after.pk), doc_type="repair_notice").context["accept_basis"]


def test_both_documents_are_served_with_one_delivery_record(officer, travel):
    r = make(officer, travel)
    with pytest.raises(ValidationFailed):
        record_serve_notices(
            record=r, method="pigeon", delivered_on=D(2025, 12, 1), recipient="张伟", acting_user=officer
        )
    delivery = record_serve_notices(
        record=r,
        method="in_person",
        delivered_on=D(2025, 12, 1),
        recipient="张伟",
        receipt="签收回执 No.0032",
        acting_user=officer,
    )
    assert sorted(delivery.documents.values_list("doc_type", flat=True)) == ["penalty_decision", "repair_notice"]
    with pytest.raises(Conflict):
        record_serve_notices(
            record=r, method="post", delivered_on=D(2025, 12, 1), recipient="张伟", acting_user=officer
        )
    assert Delivery.objects.count() == 1


def test_publication_rules(officer, travel):
    minor = make(officer, travel, category="minor", decision_number="M-1")
    with pytest.raises(Conflict) as exc:
        record_publish(record=minor, acting_user=officer)
    assert exc.value.code == "not_publishable"
    r = make(officer, travel)
    r = record_publish(record=r, acting_user=officer)
    assert r.status == "published"
    assert OutboxMessage.objects.get(topic="dishonesty_record.published").payload["subject_uscc"] == (
        "91410100AY4CL12THU"
    )


def test_publication_ends_by_itself_and_reminders_go_out_once(officer, travel, sweep):
    r = record_publish(record=make(officer, travel), acting_user=officer)  # earliest repair 2026-03-01
    sweep(D(2026, 2, 21))
    assert Notification.objects.filter(category="repair.reminder").count() == 0
    sweep(D(2026, 2, 22))  # seven days before
    sweep(D(2026, 2, 22))
    user = User.objects.get(username="enterprise_user")
    titles = list(user.notifications.filter(category="repair.reminder").values_list("title", flat=True))
    assert len(titles) == 1 and "2026-03-01" in titles[0] and "X市监罚〔2025〕118号" in titles[0]
    sweep(D(2026, 3, 2))  # the day passed while the sweep did not run: the "open" reminder still goes out
    sweep(D(2026, 3, 3))
    assert user.notifications.filter(category="repair.reminder").count() == 2
    assert not User.objects.get(username="enterprise_user2").notifications.exists()
    sweep(D(2026, 11, 30))  # "公示期至2026年11月30日止": still published on its last day
    r.refresh_from_db()
    assert r.status == "published"
    sweep(D(2026, 12, 1))  # gone the day after
    r.refresh_from_db()
    assert (r.status, r.ended_on) == ("expired", D(2026, 11, 30))


def test_bad_input_and_wrong_user(officer, travel):
    travel("2025-12-01")
    bad = data(
        subject={"person_name": "王某", "id_number": "110101199003071234"},
        decided_on="2026-01-01",
        category="huge",
        decision_number="",
    )
    with pytest.raises(ValidationFailed) as exc:
        record_create(data=bad, acting_user=officer)
    assert set(exc.value.errors) == {"subject.id_number", "decided_on", "category", "decision_number"}
    with pytest.raises(PermissionDenied):
        record_create(data=data(), acting_user=User.objects.get(username="agency_clerk"))
    assert DishonestyRecord.objects.count() == 0


def test_a_decision_number_over_64_characters_is_refused_never_cut(officer, travel):
    """The page and the import reach the service directly: a long number is an error, not a shorter number."""
    travel("2025-12-01")
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as exc:
        record_create(data=data(decision_number="X市监罚〔2025〕" + "1" * 60 + "号"), acting_user=officer)
    assert exc.value.errors == {"decision_number": ["最多 64 个字符。"]}
    assert DishonestyRecord.objects.count() == 0
    record = record_create(data=data(decision_number="X" * 64), acting_user=officer)
    assert record.decision_number == "X" * 64
