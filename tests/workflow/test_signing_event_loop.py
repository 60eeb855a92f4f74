"""Signing and checking a PDF also work where an event loop is already running in the thread (an ASGI
worker, a browser driver in the same process): pyHanko's synchronous API would refuse to start there."""

import asyncio

import pytest

from workflow.signing import VALID, pdf_signature_check, signer_for

pytestmark = pytest.mark.django_db


def test_a_document_signed_and_checked_inside_a_running_event_loop_is_valid():
    from weasyprint import HTML

    pdf = HTML(string="<p>督办函</p>").write_pdf()

    async def inside_a_loop():
        signed = signer_for(None).sign(pdf, reason="test")
        return signed, pdf_signature_check(signed.pdf)

    signed, check = asyncio.run(inside_a_loop())
    assert signed.pdf.startswith(b"%PDF") and len(signed.pdf) > len(pdf)
    assert check.status == VALID
