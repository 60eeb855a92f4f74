"""Hostile workbooks built in the test run (never committed as files): a zip whose members inflate
far beyond what it weighs, written with raw deflate segments so that building a 2 GB member costs a
second, not the minutes of compressing it."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

WORKBOOK_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_XML = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
)


def _segment(data: bytes, *, last: bool) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)


def _member(name: str, head: bytes, block: bytes, repeats: int, tail: bytes) -> tuple:
    """(name, raw deflate data, CRC-32, uncompressed size) of head + block * repeats + tail."""
    body = _segment(block, last=False)  # after a full flush each segment stands alone: repeat it
    data = _segment(head, last=False) + body * repeats + _segment(tail, last=True)
    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return name, data, crc & 0xFFFFFFFF, len(head) + len(block) * repeats + len(tail)


def _plain(name: str, text: str) -> tuple:
    raw = text.encode()
    return name, _segment(raw, last=True), zlib.crc32(raw) & 0xFFFFFFFF, len(raw)


def raw_zip(members) -> bytes:
    """A zip of already deflated members (each under 4 GB: no zip64)."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size in members:
        encoded = name.encode()
        offset = out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0))
        out.write(encoded + data)
        central.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def shared_strings_bomb(sheet: str, *, gigabytes: float = 2.0) -> bytes:
    """An .xlsx with the sheet `sheet` whose xl/sharedStrings.xml inflates to `gigabytes` GB of
    strings (a few MB of zip): openpyxl reads all shared strings into memory when it opens a file."""
    block = b"<si><t>" + b"A" * 1000 + b"</t></si>"
    block *= (1024 * 1024) // len(block)
    repeats = int(gigabytes * 1024)
    ns = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    return raw_zip(
        [
            _plain("[Content_Types].xml", CONTENT_TYPES),
            _plain("_rels/.rels", ROOT_RELS),
            _plain("xl/workbook.xml", WORKBOOK_XML.format(sheet=sheet)),
            _plain("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            _plain("xl/worksheets/sheet1.xml", SHEET_XML),
            _member("xl/sharedStrings.xml", b'<?xml version="1.0"?>' + ns, block, repeats, b"</sst>"),
        ]
    )


def small_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()
