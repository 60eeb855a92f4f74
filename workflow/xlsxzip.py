"""The cheap checks of an uploaded .xlsx that run before openpyxl parses anything of it (an XLSX
bomb — a few MB that inflate to GBs — is refused from the zip's directory alone), and the refusal
that workflow.spreadsheets raises for every check of an upload."""

from __future__ import annotations

import html
import re
import zipfile

from django.conf import settings


class UploadRefused(Exception):
    """An upload that is not a workbook to read. `code`: too_large, empty, bad_type (its name does
    not end in .xlsx), not_xlsx (not a zip with a workbook in it, or openpyxl cannot open it),
    xlsx_bomb (it would expand beyond the limits of `XLSX_LIMITS`: see `check_xlsx_zip`) or
    no_sheet (the sheet asked for is absent)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# What an .xlsx may expand to, checked on the zip's directory before openpyxl reads a byte of XML
# (settings GOVCREDIT_XLSX_*; these are the defaults). A filled-in template of 10,000 rows is far
# below all of them; a shared-strings bomb (a few MB that inflate to GBs) is far above.
XLSX_LIMITS = {
    "members": 500,  # files inside the zip
    "total_bytes": 200 * 1024 * 1024,  # all members uncompressed
    "shared_strings_bytes": 50 * 1024 * 1024,  # xl/sharedStrings.xml uncompressed
    "sheet_bytes": 100 * 1024 * 1024,  # each xl/worksheets/*.xml uncompressed
    "ratio": 100,  # uncompressed / compressed, per member (members over 1 MB) and overall
}
RATIO_FLOOR = 1024 * 1024  # small members may compress better: only bigger ones are held to the ratio
WORKBOOK_XML_MAX = 1024 * 1024  # xl/workbook.xml, read to learn the sheet names
_SHEET_NAME = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"")


def xlsx_limits() -> dict:
    return {
        key: getattr(settings, f"GOVCREDIT_XLSX_MAX_{key.upper()}", default) for key, default in XLSX_LIMITS.items()
    }


def check_xlsx_zip(fileobj) -> list[str]:
    """Check an .xlsx as a zip, cheaply and before any XML is parsed: member count, total and
    per-member uncompressed size (sharedStrings and worksheets each have their own limit) and the
    compression ratio per member and overall, from the zip's central directory. The sizes it states
    are binding: Python's zipfile never inflates a member beyond its stated size. Returns the
    workbook's sheet names (from xl/workbook.xml, at most 1 MB, read without an XML parser); raises
    UploadRefused (not_xlsx, xlsx_bomb). The file is rewound."""
    limits = xlsx_limits()
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
            if len(members) > limits["members"]:
                raise UploadRefused("xlsx_bomb")
            total = sum(m.file_size for m in members)
            packed = sum(m.compress_size for m in members)
            if total > limits["total_bytes"] or (total > RATIO_FLOOR and total > limits["ratio"] * max(packed, 1)):
                raise UploadRefused("xlsx_bomb")
            for member in members:
                name = member.filename.lower()
                if member.file_size > RATIO_FLOOR and member.file_size > limits["ratio"] * max(member.compress_size, 1):
                    raise UploadRefused("xlsx_bomb")
                if name == "xl/sharedstrings.xml" and member.file_size > limits["shared_strings_bytes"]:
                    raise UploadRefused("xlsx_bomb")
                if name.startswith("xl/worksheets/") and member.file_size > limits["sheet_bytes"]:
                    raise UploadRefused("xlsx_bomb")
            try:
                info = archive.getinfo("xl/workbook.xml")
            except KeyError as exc:
                raise UploadRefused("not_xlsx") from exc
            if info.file_size > WORKBOOK_XML_MAX:
                raise UploadRefused("xlsx_bomb")
            with archive.open(info) as member_file:
                workbook_xml = member_file.read(WORKBOOK_XML_MAX + 1)
    except UploadRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken zip, a bad CRC, an encrypted member: not a workbook
        raise UploadRefused("not_xlsx") from exc
    finally:
        fileobj.seek(0)
    return [html.unescape(m.decode("utf-8", "replace")) for m in _SHEET_NAME.findall(workbook_xml)]
