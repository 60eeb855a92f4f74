"""Template filters for statutory dates."""

from django import template

from workflow.deadlines import deadline_provisional

register = template.Library()


@register.filter
def provisional(deadline) -> bool:
    """`{% if d|provisional %}`: the clock's due date was counted with a year whose State Council
    holiday notice is not entered yet (issue 9 item 7)."""
    return deadline_provisional(deadline)
