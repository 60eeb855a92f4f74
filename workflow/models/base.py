from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField


class StatefulModel(ConcurrentTransitionMixin, models.Model):
    """A model whose status changes only through django-fsm transitions.

    ConcurrentTransitionMixin makes a save fail with ConcurrentTransition when another
    transaction changed the state since this instance was read, so of two concurrent
    transitions exactly one wins.
    """

    class Meta:
        abstract = True


class CharStatusField(FSMField):
    """An FSMField that migrations record as the CharField it replaced.

    The column is the same (a varchar with the same choices and default); the state machine is
    Python only, so the field needs no migration and historical models keep a plain CharField.
    """

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


class CaseProcessMixin:
    """For a proxy of viewflow's Process whose artifact is a case: its page is the case's page.

    class ComplaintProcess(CaseProcessMixin, Process):
        case_url_name = "contracts-complaint"
    """

    case_url_name: str
    artifact_object_id: int | None  # a field of viewflow's Process, the concrete base

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(self.case_url_name, args=[self.artifact_object_id])
