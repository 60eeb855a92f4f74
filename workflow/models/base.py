from django.db import models
from django_fsm import ConcurrentTransitionMixin


class StatefulModel(ConcurrentTransitionMixin, models.Model):
    """A model whose status changes only through django-fsm transitions.

    ConcurrentTransitionMixin makes a save fail with ConcurrentTransition when another
    transaction changed the state since this instance was read, so of two concurrent
    transitions exactly one wins.
    """

    class Meta:
        abstract = True
