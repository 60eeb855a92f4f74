"""HTML to PDF for formal documents, laid out so that the pages break as GB/T 9704-2012 wants.

WeasyPrint lays the document out; the layout's anchors say where the closing (`id="closing"`: 署名,
date, seal position, verification box, 版记) landed, and the document is laid out again when that is
not good enough:

- at least two lines of body stand above the closing on its page: the CSS keeps the closing with the
  last body element (and widows keep two lines of a split paragraph); when that element is a single
  line ("特此通知。") and the closing would start a page under it alone, the document is laid out
  again with `closing_keeps_two` (CSS class `keep-end`), which keeps the last two elements together;
- when the closing has been carried onto a last page under only a few lines of body, the document is
  laid out again with a closer line pitch (`tight`, about 24 lines a page instead of 22), and that
  layout is kept if it saves the page: GB/T 9704-2012 7.3.5.4, 当公文排版后所剩空白处不能容下印章或签发人
  签名章、成文日期时，可以采取调整行距、字距的措施解决.

Most documents are laid out once; the worst case is four layouts (about 0.3 s each, warm).
"""

from django.conf import settings
from django.template.loader import render_to_string

# 天头 (top margin) 37 mm; the body's line pitch (22 lines in the 225 mm type area).
TYPE_AREA_TOP_PT = 37 / 25.4 * 72
LINE_PITCH_PT = 28.95
# The closing needs two body lines above it on its page.
MIN_BODY_WITH_CLOSING_PT = 2 * LINE_PITCH_PT - 1
# A last page whose closing starts within this depth holds only a few lines of body: try closer lines.
LIGHT_LAST_PAGE_PT = 6 * LINE_PITCH_PT
PX_TO_PT = 0.75  # WeasyPrint's anchors are in CSS px
CLOSING_ANCHOR = "closing"


def _layout(template: str, context: dict):
    import weasyprint

    html = render_to_string(template, context)
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).render()


def _closing_depth_pt(layout) -> float | None:
    """How far below the top of the type area the closing (`id="closing"`) starts on its page, in points;
    None for a one-page document (nothing can be stranded there)."""
    if len(layout.pages) < 2:
        return None
    for page in reversed(layout.pages):
        if CLOSING_ANCHOR in page.anchors:
            return page.anchors[CLOSING_ANCHOR][1] * PX_TO_PT - TYPE_AREA_TOP_PT
    return None


def _layout_with_body_above_closing(template: str, context: dict):
    """A layout with at least two lines of body above the closing on its page."""
    layout = _layout(template, context)
    depth = _closing_depth_pt(layout)
    if depth is not None and depth < MIN_BODY_WITH_CLOSING_PT:
        layout = _layout(template, {**context, "closing_keeps_two": True})
    return layout


def pdf_render(*, template: str, context: dict) -> bytes:
    """The PDF of `template` rendered with `context`, laid out as described above."""
    layout = _layout_with_body_above_closing(template, context)
    depth = _closing_depth_pt(layout)
    if depth is not None and depth < LIGHT_LAST_PAGE_PT:
        tight = _layout_with_body_above_closing(template, {**context, "tight": True})
        if len(tight.pages) < len(layout.pages):
            layout = tight
    return layout.write_pdf()
