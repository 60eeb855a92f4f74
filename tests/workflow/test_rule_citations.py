"""What the citation check of 2026-11-30 changed in the rules table (docs/deadlines.md, "Citations
checked"): corrected dates and articles, and verified flags only where the article was read."""

import datetime as dt

import pytest

from workflow.errors import NotFound
from workflow.models import Rule
from workflow.rules import rule_in_force

D = dt.date
pytestmark = pytest.mark.django_db


def test_the_miit_complaint_measures_apply_from_their_issue_on_2021_12_30(db):
    with pytest.raises(NotFound) as exc:
        rule_in_force("complaint.accept", D(2021, 12, 29))
    assert exc.value.code == "rule_not_in_force"
    rule = rule_in_force("complaint.accept", D(2021, 12, 30))
    assert (rule.amount, rule.unit, rule.verified) == (10, "working_days", False)
    assert "工信部企业〔2021〕224号" in rule.basis_document and "2021-12-30" in rule.note


def test_the_2020_regulation_puts_large_enterprises_terms_in_article_8_paragraph_2(db):
    old = rule_in_force("sme.pay.large_enterprise", D(2025, 5, 31))
    new = rule_in_force("sme.pay.large_enterprise", D(2025, 6, 1))
    assert (old.basis_article, new.basis_article) == ("第八条第二款", "第九条")
    assert "第728号" in old.basis_document and "第802号" in new.basis_document


@pytest.mark.parametrize(
    "code, on, article, verified",
    [
        ("remedy.review", D(2024, 1, 1), "第二十条", True),  # 行政复议法 (2023) read
        ("remedy.litigation", D(2026, 1, 1), "第四十六条", True),
        ("penalty.fine.surcharge", D(2026, 1, 1), "第七十二条第一款第（一）项", True),
        ("repair.effect", D(2026, 4, 1), "第三条", True),  # 令第36号 第三条 read in two copies
        ("repair.accept", D(2026, 4, 1), "", False),  # 36号 / 22号 article not legible: no longer verified
        ("repair.accept", D(2026, 3, 31), "", False),  # 令第58号: not read
        ("publication.penalty.min", D(2025, 1, 1), "", False),
    ],
)
def test_verified_only_where_the_article_was_read(db, code, on, article, verified):
    rule = rule_in_force(code, on)
    assert (rule.basis_article, rule.verified) == (article, verified)


def test_local_policy_rows_are_editable_defaults_never_marked_verified(db):
    local = Rule.objects.filter(local_policy=True)
    assert {"contract.register", "notify.deadline.remind", "publicity.other", "contract.disposal.rectify"} <= set(
        local.values_list("code", flat=True)
    )
    for rule in local:
        assert not rule.verified, rule.code
        assert rule.basis_document.startswith("地方政策") and "可调整" in rule.basis_document, rule.code
