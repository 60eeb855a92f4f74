"""The document samples (tests/workflow/document_samples/: the context each service froze) and long,
realistic variants of them: long names and codes, several obligations and decisions, long reasons, many
paragraphs. Each long case names the sample it starts from and the context keys it replaces ("_issuer":
another issuing body). `sample_load(name)` reads a sample or builds a long case; `sample_document(sample)`
makes the unsaved Document that renders it."""

import copy
import datetime as dt
import json
from pathlib import Path

from workflow.models import Agency, Document

SAMPLES = Path(__file__).parent / "document_samples"

LONG_COMPANY = "X市恒信建材科技发展集团股份有限公司第三分公司（原X市恒信新型建筑材料有限责任公司）"
LONG_AGENCY = "X市住房和城乡建设局（X市人民防空办公室）"
LONG_CONTRACT_NUMBER = "HT-XZJJ-2026-GC-000123-BUCHONGXIEYI-02-FENBAO-0045"
LONG_ADDRESS = "X市高新技术产业开发区科学大道与长椿路交叉口东北角恒信科技园3号楼17层1708室（邮编450001）"
GROUNDS = (
    "经多次书面催告和约谈，该单位仍未支付。2026年9月15日，我市政府合同履约信用监管平台向该单位发出付款预警；"
    "9月22日，市发展改革委会同市财政局约谈该单位分管负责同志，该单位承诺于9月30日前付清，但至今未履行。\n"
    "经核查，该单位本年度财政预算已安排相应资金，不存在客观上无法支付的情形；该单位以“等待审计结论”为由拖延付款，"
    "不符合《保障中小企业款项支付条例》第十二条关于不得以未办理决算、审计为由拒绝或者迟延支付的规定。"
)
# A long issuing body: its name is the 署名 over the date, and the mark on the first page.
LONG_ISSUER = {"code": "XXYB", "name": "X市社会信用体系建设联席会议办公室", "doc_prefix": "X信用办"}
PENALTY_NUMBERS = [f"X市监罚〔2025〕{n}号" for n in (118, 231, 347, 402, 518, 633)]


def _fine(kind: str, amount: str, figures: str, capital: str, due: str) -> dict:
    return {
        "kind": kind,
        "kind_code": "fine" if kind == "罚款" else "confiscation",
        "amount": amount,
        "due_on": due,
        "amount_figures": figures,
        "amount_capital": capital,
    }


OBLIGATIONS = [
    _fine("罚款", "1250000.00", "1,250,000.00", "壹佰贰拾伍万元整", "2025-12-15"),
    _fine("没收违法所得", "386420.57", "386,420.57", "叁拾捌万陆仟肆佰贰拾元伍角柒分", "2025-12-15"),
    {"kind": "责令停产停业整顿", "kind_code": "suspension", "amount": None, "due_on": None},
]

LONG_CASES: dict[str, tuple[str, dict]] = {
    "rectification_notice_long": (
        "rectification_notice",
        {
            "recipients": LONG_AGENCY,
            "counterparty": LONG_COMPANY,
            "contract_title": "X市中心城区老旧小区改造提升工程（二期）设计施工总承包及配套市政道路养护服务采购",
            "contract_number": LONG_CONTRACT_NUMBER,
            "grounds": GROUNDS,
        },
    ),
    "supervision_letter_long": (
        "supervision_letter",
        {
            "recipients": LONG_AGENCY,
            "counterparty": LONG_COMPANY,
            "contract_number": LONG_CONTRACT_NUMBER,
            "grounds": GROUNDS,
            "review_note": "该单位报送的整改材料仅为付款计划，未附付款凭证；经电话核实，款项至今仍未支付。\n"
            "该单位未说明逾期原因，亦未提出延期申请。",
        },
    ),
    "penalty_decision_long": (
        "penalty_decision",
        {
            "subject": LONG_COMPANY,
            "subject_address": LONG_ADDRESS,
            "facts": "当事人于2026年3月至5月期间，在X市东区、北区共12个建筑工地销售不符合GB 175-2023《通用硅酸盐水泥》"
            "标准的P·O 42.5水泥共计1,286吨，货值金额人民币386,420.57元，违法所得人民币386,420.57元。"
            "当事人在接受调查期间，不如实提供进货台账，拒不说明产品来源。",
            "evidence": "1. 现场检查笔录3份；\n2. 抽样检验报告（编号JY-2026-031、JY-2026-032、JY-2026-047）；\n"
            "3. 销售台账及发票复印件126张；\n4. 当事人法定代表人询问笔录2份；\n5. 证人证言4份。",
            "basis": "《中华人民共和国产品质量法》第四十九条、《中华人民共和国行政处罚法》第二十八条第二款",
            "obligations": OBLIGATIONS,
        },
    ),
    "repair_notice_long": (
        "repair_notice",
        {"recipients": LONG_COMPANY, "subject": LONG_COMPANY, "obligations": OBLIGATIONS},
    ),
    "repair_not_accepted_long": (
        "repair_not_accepted",
        {
            "recipients": LONG_COMPANY,
            "numbers": PENALTY_NUMBERS,
            "reasons": [f"《行政处罚决定书》（{n}）所涉失信信息的最短公示期尚未届满" for n in PENALTY_NUMBERS[:3]]
            + [
                f"《行政处罚决定书》（{n}）确定的法定义务尚未显示履行完毕，且未提交履行证明材料"
                for n in PENALTY_NUMBERS[3:]
            ],
        },
    ),
    "repair_acceptance_long": (
        "repair_acceptance",
        {"recipients": LONG_COMPANY, "numbers": PENALTY_NUMBERS},
    ),
    "repair_decision_long": (
        "repair_decision",
        {
            "recipients": LONG_COMPANY,
            "numbers": PENALTY_NUMBERS,
            "reason": "经审查，申请人提交的缴款凭证所载金额与处罚决定确定的罚款金额不一致，差额人民币12,000.00元；"
            "信用承诺书签署人并非法定代表人，亦未提交法定代表人授权委托书。\n"
            "申请人于2026年1月5日因同类违法行为再次被立案调查，不符合信用修复条件。",
        },
    ),
    "credit_commitment_long": (
        "credit_commitment",
        {
            "recipients": LONG_AGENCY,
            "text": "信用承诺书\n本单位"
            + LONG_COMPANY
            + "（统一社会信用代码：91410100AY4CL12THU）就"
            + "、".join(PENALTY_NUMBERS)
            + "所涉失信行为申请信用修复，郑重承诺：一、已纠正失信行为、履行法定义务，所提交的材料真实、准确、完整；"
            "二、今后严格遵守法律法规，诚信经营；三、如有虚假承诺或再次发生同类失信行为，愿意承担相应法律责任，"
            "并接受撤销信用修复决定等处理。",
        },
    ),
    "complaint_receipt_long": (
        "complaint_receipt",
        {
            "complainant": LONG_COMPANY,
            "respondent": LONG_AGENCY,
            "contract_number": LONG_CONTRACT_NUMBER,
            "amount_claimed": "12863420.57",
            "evidence_count": 14,
        },
    ),
    "complaint_feedback_long": (
        "complaint_feedback",
        {
            "recipients": LONG_COMPANY,
            "findings": GROUNDS,
            "repayment_plan": "2026年10月31日前支付人民币500,000.00元；\n2026年11月30日前支付人民币500,000.00元；\n"
            "2026年12月31日前付清余款及逾期利息。",
        },
    ),
    "complaint_supervision_notice_long": (
        "complaint_supervision_notice",
        {"recipients": LONG_AGENCY, "complainant": LONG_COMPANY},
    ),
    "complaint_rejection_long": (
        "complaint_rejection",
        {"recipients": LONG_COMPANY, "respondent": LONG_AGENCY, "text": GROUNDS},
    ),
    "evaluation_report_long": (
        "evaluation_report",
        {"recipients": LONG_AGENCY, "_issuer": LONG_ISSUER},
    ),
    "service_receipt_long": (
        "service_receipt",
        {
            "subject": LONG_COMPANY,
            "subject_address": LONG_ADDRESS,
            "served": [{"title": "行政处罚决定书", "number": n} for n in PENALTY_NUMBERS[:3]]
            + [{"title": "信用修复告知书", "number": f"X市监信修告〔2025〕{i}号"} for i in (11, 12, 13)],
        },
    ),
}


def sample_load(name: str) -> dict:
    """A sample as stored, or a long case built from its sample."""
    if name not in LONG_CASES:
        return json.loads((SAMPLES / f"{name}.json").read_text())
    base, changes = LONG_CASES[name]
    sample = copy.deepcopy(json.loads((SAMPLES / f"{base}.json").read_text()))
    changes = copy.deepcopy(changes)
    if "_issuer" in changes:
        sample["issuer"] = changes.pop("_issuer")
    sample["context"].update(changes)
    return sample


def sample_document(sample: dict) -> Document:
    """An unsaved Document carrying the sample (its issuer an unsaved Agency): enough to render it."""
    issuer = Agency(**sample["issuer"], kind="government") if sample["issuer"] else None
    return Document(
        doc_type=sample["doc_type"],
        title=sample["title"],
        template=sample["template"],
        issuer=issuer,
        doc_number=sample["doc_number"],
        issued_on=dt.date.fromisoformat(sample["issued_on"]),
        context=sample["context"],
        verification_code="ABCDEFGHJKLMNPQR",
    )
