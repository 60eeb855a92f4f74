"""Labels of the complaint column shared by the pages and the API: the public steps and the clocks."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

STEP_LABELS = {
    "submitted": pgettext_lazy("complaint step", "Submitted"),
    "acceptance": pgettext_lazy("complaint step", "Acceptance review"),
    "transfer": pgettext_lazy("complaint step", "Transfer to the handling body"),
    "handling": pgettext_lazy("complaint step", "Handling"),
    "feedback": pgettext_lazy("complaint step", "Written reply"),
    "evaluation": pgettext_lazy("complaint step", "Complainant's evaluation"),
    "closed": pgettext_lazy("complaint step", "Closed"),
}
STEP_STATUS_LABELS = {
    "done": pgettext_lazy("complaint step", "done"),
    "in_progress": pgettext_lazy("complaint step", "in progress"),
    "pending": pgettext_lazy("complaint step", "not started"),
    "rejected": pgettext_lazy("complaint step", "not accepted"),
}
CLOCK_LABELS = {
    "accept": gettext_lazy("Decide on acceptance"),
    "transfer": gettext_lazy("Transfer to the handling body"),
    "handle": gettext_lazy("Handle and reply"),
}


def clock_label(purpose: str) -> str:
    if purpose.startswith("handle") and purpose != "handle":
        return _("Handle and reply (round %(n)s)") % {"n": purpose[len("handle") :]}
    return str(CLOCK_LABELS.get(purpose, purpose))
