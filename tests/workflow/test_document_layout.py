"""How every document type reads in print: each sample (tests/workflow/document_samples/) and a long,
realistic variant of it (document_cases.py: long names and codes, several obligations, long
reasons), rendered once for the module and read back with the position of every line
(`pdftotext -bbox-layout`, Debian poppler-utils):

- the closing (verification box, 署名, date, seal position, 版记) is on the last page, under at least
  two lines of body: no stranded signature, no last page holding only the signature or the 印发 line;
- no page before the last is left half empty (no forced break, no keep-together that carries half a page);
- nothing runs past the right margin (long codes wrap);
- a table that breaks repeats its header and leaves at least two rows on each page;
- what fits on one page is one page."""

import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest

from tests.workflow.document_cases import LONG_CASES, SAMPLES, sample_document, sample_load
from workflow.documents import document_pdf_render
from workflow.models import Document
from workflow.templatetags.govcredit_documents import cn_date

NAMES = sorted(path.stem for path in SAMPLES.glob("*.json")) + sorted(LONG_CASES)
PT_PER_MM = 72 / 25.4
PAGE_HEIGHT_PT = 841.89
TYPE_AREA_BOTTOM_PT = PAGE_HEIGHT_PT - 35 * PT_PER_MM  # bottom margin 35 mm
LINE_PT = 28.95  # the body's line pitch (22 lines in the 225 mm type area)
RIGHT_EDGE_PT = 595.3 - 26 * PT_PER_MM  # right margin 26 mm
ONE_PAGE = {"complaint_rejection", "credit_commitment", "repair_acceptance", "service_receipt"}


@dataclass(frozen=True)
class Line:
    top: float
    bottom: float
    right: float
    text: str


def _lines_by_page(pdf: bytes, tmp_dir) -> list[list[Line]]:
    """Each page's lines of text, top to bottom; words at the same height (table cells, the 版记's two
    ends) form one line, left to right."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils (pdftotext) is needed: make system-packages"
    path = tmp_dir / "doc.pdf"
    path.write_bytes(pdf)
    xml = subprocess.run(  # noqa: S603 - a fixed binary on a file we wrote
        [pdftotext, "-bbox-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
    pages = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", xml, re.S):
        rows: dict[int, list[tuple[float, float, float, str]]] = {}
        for x_min, y_min, x_max, y_max, text in word.findall(page):
            rows.setdefault(round(float(y_min)), []).append((float(x_min), float(y_max), float(x_max), text))
        pages.append(
            [
                Line(top, max(w[1] for w in words), max(w[2] for w in words), "".join(w[3] for w in sorted(words)))
                for top, words in sorted(rows.items())
            ]
        )
    return pages


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory) -> dict[str, tuple[Document, list[list[Line]]]]:
    """name → (document, lines of each page), each rendered once for the module."""
    tmp_dir = tmp_path_factory.mktemp("layout")
    out = {}
    for name in NAMES:
        document = sample_document(sample_load(name))
        out[name] = (document, _lines_by_page(document_pdf_render(document=document), tmp_dir))
    return out


def _is_page_number(line: Line) -> bool:
    return line.top > TYPE_AREA_BOTTOM_PT and re.fullmatch(r"—\d+—", line.text) is not None


def _closing_top(lines: list[Line]) -> float | None:
    marks = [line.top for line in lines if "核验码" in line.text or "（电子印章）" in line.text]
    return min(marks) if marks else None


@pytest.mark.parametrize("name", NAMES)
def test_the_closing_is_on_the_last_page_under_at_least_two_lines_of_body(laid_out, name):
    document, pages = laid_out[name]
    closing_pages = [i for i, lines in enumerate(pages) if _closing_top(lines) is not None]
    assert closing_pages == [len(pages) - 1], f"{name}: the closing is on page(s) {closing_pages} of {len(pages)}"
    last = pages[-1]
    top = _closing_top(last)
    body = [line for line in last if line.bottom <= top]
    assert len(body) >= 2, f"{name}: page {len(pages)} carries the closing under {[b.text for b in body]}"
    # The 署名 and the date (and the 印发 line of the 版记) stand with it, below the body.
    below = "".join(line.text for line in last if line.top >= top)
    assert cn_date(document.issued_on) in below
    if document.issuer is not None:
        assert document.issuer.name in below
    if any("印发" in line.text for lines in pages for line in lines):
        assert "印发" in below, f"{name}: the 版记 is not with the signature"


@pytest.mark.parametrize("name", NAMES)
def test_no_page_before_the_last_is_left_half_empty(laid_out, name):
    _, pages = laid_out[name]
    for number, lines in enumerate(pages[:-1], start=1):
        lowest = max(line.bottom for line in lines if not _is_page_number(line))
        blank_lines = (TYPE_AREA_BOTTOM_PT - lowest) / LINE_PT
        assert blank_lines < 11, f"{name}: page {number} ends {blank_lines:.1f} lines above the bottom"


@pytest.mark.parametrize("name", NAMES)
def test_nothing_runs_past_the_right_margin(laid_out, name):
    _, pages = laid_out[name]
    overflow = [(line.text, line.right) for lines in pages for line in lines if line.right > RIGHT_EDGE_PT + 1]
    assert overflow == [], f"{name}: text past the right margin: {overflow[:3]}"


@pytest.mark.parametrize("name", sorted(ONE_PAGE))
def test_what_fits_on_one_page_is_one_page(laid_out, name):
    _, pages = laid_out[name]
    assert len(pages) == 1


def test_a_table_that_breaks_repeats_its_header_and_leaves_two_rows_on_each_page(laid_out):
    document, pages = laid_out["evaluation_report"]
    rows = [label for label, _ in document.context["cells"]]
    on_page = [[line.text for line in lines if any(line.text.startswith(label) for label in rows)] for lines in pages]
    spanned = [i for i, found in enumerate(on_page) if found]
    assert len(spanned) == 2, "the sample's indicator table no longer breaks across pages: adjust the sample"
    for i in spanned:
        assert len(on_page[i]) >= 2, f"page {i + 1} holds {on_page[i]} alone"
        header = [line for line in pages[i] if line.text == "指标权重结果"]
        assert header, f"page {i + 1} has no table header"
        first_row = min(line.top for line in pages[i] if line.text in on_page[i])
        assert header[0].top < first_row


def test_a_long_signature_name_keeps_clear_of_the_verification_box(laid_out):
    """A body with a long name: the 署名 does not overprint the box, and its 版记 names it once."""
    document, pages = laid_out["evaluation_report_long"]
    last = pages[-1]
    name = document.issuer.name
    signature = [line for line in last if line.text == name]  # a line of its own: nothing overprints it
    assert signature, f"the 署名 {name} is not a line of its own: {[line.text for line in last]}"
    box = [line for line in last if "核验码" in line.text]
    assert box[0].top > signature[0].bottom or box[0].bottom < signature[0].top
    printed = [line.text for line in last if "印发" in line.text]
    assert printed == [f"{name}{cn_date(document.issued_on)}印发"]  # not "…办公室办公室"


@pytest.mark.parametrize(
    ("name", "labels"),
    [
        ("complaint_receipt_long", ["投诉编号", "被投诉单位", "合同编号", "投诉金额", "证明材料"]),
        ("complaint_supervision_notice_long", ["投诉编号", "投诉登记日期", "转交办理日期", "办理期限届满日期"]),
    ],
)
def test_the_labels_of_a_field_table_do_not_wrap_beside_a_long_value(laid_out, name, labels):
    _, pages = laid_out[name]
    starts = [line.text for lines in pages for line in lines]
    assert [label for label in labels if not any(text.startswith(label) for text in starts)] == []
