"""Issue (once) and render the sample notice, write the PDF out and print its figures.

    python manage.py render_sample [--out var/sample_notice.pdf]

The notice is issued for the demo agency XFGW (or the first agency) with that agency as its case,
so running the command again returns the same document (rendered once, never regenerated). The
render times printed: cold = the first render in this process (fonts loaded from disk); warm = the
median of --repeat further throw-away renders, which is what a long-lived q2 worker sees.
"""

import datetime as dt
import shutil
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from workflow import clock
from workflow.documents import document_issue, document_pdf_render, document_render
from workflow.management.base import GovcreditCommand
from workflow.models import Agency, Document

DOC_TYPE = "sample_notice"
TITLE = "关于做好政府合同履约信息归集工作的通知"


def sample_context(today: dt.date) -> dict:
    year = today.year
    return {
        "title_lines": ["关于做好政府合同履约", "信息归集工作的通知"],
        "recipients": "各区人民政府，市直各有关单位，市属各国有企业",
        "budget": "100000.00",
        "since": dt.date(year, 1, 1),
        "first_deadline": dt.date(year, 12, 31) if today.month < 12 else dt.date(year + 1, 1, 31),
        "deadline": dt.date(year + 1, 3, 31),
        "items": [
            {
                "name": "合同订立信息",
                "content": "合同名称、编号、签约双方、合同金额、签订日期、履行期限",
                "due": "合同签订后10个工作日内",
            },
            {
                "name": "付款节点信息",
                "content": "约定的付款条件、付款期限和每期应付金额",
                "due": "合同签订后10个工作日内",
            },
            {
                "name": "实际支付信息",
                "content": "每笔付款的日期、金额和支付方式，逾期支付的原因",
                "due": "支付完成后5个工作日内",
            },
            {
                "name": "履约争议信息",
                "content": "验收争议、投诉、仲裁和诉讼情况及处理结果",
                "due": "发生或者变化后5个工作日内",
            },
            {
                "name": "合同变更和终止信息",
                "content": "补充协议、变更事项、解除或者终止的时间和原因",
                "due": "变更或者终止后10个工作日内",
            },
        ],
        "contact_name": "陈思远",
        "contact_phone": "12345678",
        "cc": "市人大常委会办公厅，市政协办公厅，市中级人民法院",
    }


class Command(GovcreditCommand):
    help = "Issue (once) and render the sample notice; write the PDF to --out."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(settings.BASE_DIR / "var" / "sample_notice.pdf"))
        parser.add_argument(
            "--repeat", type=int, default=3, help="warm renders to time, not stored (default 3; 0: no timing)"
        )
        parser.add_argument("--series", default="信用", help="document number series (default 信用)")

    def handle(self, *args, **options):
        agency = Agency.objects.filter(code="XFGW").first() or Agency.objects.order_by("pk").first()
        if agency is None:
            raise CommandError("no agency: run `python manage.py seed_demo` first")
        document = document_issue(
            case=agency,
            doc_type=DOC_TYPE,
            title=TITLE,
            template="documents/sample_notice.html",
            context=sample_context(clock.today()),
            issuer=agency,
            series=options["series"],
        )
        renders_now = document.status in (Document.Status.PENDING, Document.Status.FAILED)
        started = time.perf_counter()
        document_render(document.pk)  # stores the PDF once; a no-op when it is already stored
        cold = time.perf_counter() - started
        document = Document.objects.select_related("issuer").get(pk=document.pk)
        if document.status not in (Document.Status.RENDERED, Document.Status.REVOKED):
            raise CommandError(f"rendering failed: {document.last_error}")

        repeat = options["repeat"]
        timing = "not measured (--repeat 0)"
        if repeat > 0:
            if not renders_now:  # stored earlier: a throw-away render loads the fonts instead
                started = time.perf_counter()
                document_pdf_render(document=document)
                cold = time.perf_counter() - started
            warm_runs = []
            for _ in range(repeat):  # throw-away renders, not stored
                started = time.perf_counter()
                document_pdf_render(document=document)
                warm_runs.append(time.perf_counter() - started)
            timing = f"{statistics.median(warm_runs):.2f} s warm (median of {repeat}), {cold:.2f} s cold"

        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        with document.file.open("rb") as source, out.open("wb") as target:
            shutil.copyfileobj(source, target)

        self.stdout.write(f"path:          {out}")
        self.stdout.write(f"doc number:    {document.doc_number}")
        self.stdout.write(f"verify code:   {document.verification_code}")
        self.stdout.write(f"sha256:        {document.sha256}")
        self.stdout.write(f"size:          {document.size_bytes} bytes")
        self.stdout.write(f"render time:   {timing}")
