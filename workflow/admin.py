"""Django admin for the shared engine.

Writes that carry history go through services: rules through rules.rule_update, the calendar
through calendar_services, outbox requeues through outbox.outbox_requeue. Logs and records that
services own (audit, deadlines, documents, attempts, sweeps) are read-only here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from workflow import roles
from workflow.errors import DomainError
from workflow.models import (
    Agency,
    AuditLog,
    CalendarYear,
    Deadline,
    DeadlineEvent,
    Delivery,
    Document,
    DocumentSequence,
    Enterprise,
    Heartbeat,
    HolidayOverride,
    LoginAttempt,
    Notification,
    OutboxMessage,
    Rule,
    SweepRun,
    User,
)
from workflow.rules import EDITABLE_FIELDS

admin.site.site_header = _("X City Social Credit Supervision Service Platform — administration")
admin.site.site_title = _("govcredit administration")
admin.site.index_title = _("Administration")


class ReadOnlyAdminMixin:
    """Viewable by those with the view permission; nobody adds, changes or deletes here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChangedByMixin:
    """Who last changed a row; the models' user links carry no label of their own."""

    @admin.display(description=_("updated by"), ordering="updated_by")
    def updated_by_user(self, obj):
        return obj.updated_by or "—"

    @admin.display(description=_("entered by"), ordering="entered_by")
    def entered_by_user(self, obj):
        return obj.entered_by or "—"


def _audit_table(obj):
    """The audit rows of one object, as an HTML table (newest first)."""
    from workflow.audit import audit_for

    if obj is None or obj.pk is None:
        return "—"
    rows = list(audit_for(obj)[:200])
    if not rows:
        return _("No changes recorded.")

    def changes(entry):
        if not isinstance(entry.changes, dict):
            return str(entry.changes)
        parts = []
        for key, value in entry.changes.items():
            if isinstance(value, list | tuple) and len(value) == 2:
                parts.append(f"{key}: {value[0]} → {value[1]}")
            else:
                parts.append(f"{key}: {value}")
        return "; ".join(parts)

    body = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (f"{entry.at:%Y-%m-%d %H:%M}", entry.actor_label, entry.action, changes(entry), entry.reason)
            for entry in rows
        ),
    )
    return format_html(
        '<table class="govcredit-history"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
        "</tr></thead><tbody>{}</tbody></table>",
        _("at"),
        _("actor"),
        _("action"),
        _("changes"),
        _("reason"),
        body,
    )


# -- parties -------------------------------------------------------------------------------------


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "region")
    list_filter = ("kind", "region")
    search_fields = ("code", "name", "uscc")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "size", "region")
    list_filter = ("size", "region")
    search_fields = ("name", "=uscc")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "get_full_name", "agency", "enterprise", "role_list", "is_staff", "is_active")
    list_filter = ("groups", "is_staff", "is_superuser", "is_active")
    list_select_related = ("agency", "enterprise")
    search_fields = ("username", "first_name", "last_name", "email", "mobile")
    autocomplete_fields = ("agency", "enterprise")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Organisation"), {"fields": ("agency", "enterprise", "mobile")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Organisation"), {"fields": ("agency", "enterprise", "mobile")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def role_list(self, obj):
        return ", ".join(str(roles.ALL.get(g.name, g.name)) for g in obj.groups.all())


@admin.register(LoginAttempt)
class LoginAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "username", "ip", "success")
    list_filter = ("success",)
    search_fields = ("username", "ip")
    date_hierarchy = "at"


# -- rules ---------------------------------------------------------------------------------------


class RuleAdminForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text=_("Kept in the rule's history, e.g. the document that confirms the new limit."),
    )

    class Meta:
        model = Rule
        fields = EDITABLE_FIELDS  # the fields rules.rule_update accepts

    def _post_clean(self):
        super()._post_clean()  # type: ignore[misc]  # a private ModelForm hook the stubs leave out
        # The form leaves out `code`, so Django skips the (code, effective_from) constraint; check it
        # here rather than let rule_update's full_clean fail after the form said yes.
        try:
            self.instance.validate_constraints()
        except ValidationError as exc:
            self._update_errors(exc)  # type: ignore[attr-defined]  # private, as _post_clean


@admin.register(Rule)
class RuleAdmin(ChangedByMixin, admin.ModelAdmin):
    """Supervisors confirm or correct time limits here; every save goes through rules.rule_update."""

    form = RuleAdminForm
    list_display = (
        "code",
        "title",
        "amount",
        "unit",
        "kind",
        "effective_from",
        "effective_to",
        "verified_flag",
    )
    list_display_links = ("code", "title")
    list_filter = ("verified", "kind", "unit", "local_policy")
    search_fields = ("code", "title", "basis_document")
    readonly_fields = ("code", "unit", "kind", "updated_by_user", "updated_at", "history")
    fieldsets = (
        (None, {"fields": ("code", "title", "kind", "amount", "unit", "ceiling", "rate", "params")}),
        (_("Legal basis"), {"fields": ("basis_document", "basis_article", "note", "local_policy", "verified")}),
        (_("In force"), {"fields": ("effective_from", "effective_to")}),
        (_("Change"), {"fields": ("change_reason", "updated_by_user", "updated_at")}),
        (_("History"), {"fields": ("history",)}),
    )

    def has_add_permission(self, request):
        # New rule versions ship as data migrations (with their citations); there is no
        # create service yet, so the admin does not add rows outside the audit trail.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("verified"), ordering="verified")
    def verified_flag(self, obj):
        if obj.verified:
            return format_html('<span style="color:#1e6b3a">✔ {}</span>', _("verified"))
        return format_html(
            '<strong style="color:#fff;background:#a11919;padding:1px 6px;border-radius:3px">✘ {}</strong>',
            _("not verified"),
        )

    @admin.display(description=_("history"))
    def history(self, obj):
        return _audit_table(obj)

    def save_model(self, request, obj, form, change):
        from workflow.rules import rule_update

        stored = Rule.objects.get(pk=obj.pk)
        data = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in EDITABLE_FIELDS and form.cleaned_data[name] != getattr(stored, name)
        }
        if not data:
            return
        rule_update(rule=obj, data=data, acting_user=request.user, reason=form.cleaned_data.get("change_reason", ""))
        obj.refresh_from_db()


# -- calendar ------------------------------------------------------------------------------------


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(ChangedByMixin, admin.ModelAdmin):
    list_display = ("day", "is_workday", "name", "notice", "updated_by_user", "updated_at")
    list_filter = ("is_workday",)
    search_fields = ("name", "notice")
    date_hierarchy = "day"
    fields = ("day", "is_workday", "name", "notice", "updated_by_user", "updated_at", "history")
    readonly_fields = ("updated_by_user", "updated_at", "history")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("day")  # to move an override, delete it and add another
        return fields

    @admin.display(description=_("history"))
    def history(self, obj):
        return _audit_table(obj)

    def save_model(self, request, obj, form, change):
        from workflow.calendar import holiday_override_set

        saved = holiday_override_set(
            day=obj.day, is_workday=obj.is_workday, name=obj.name, notice=obj.notice, acting_user=request.user
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        from workflow.calendar import holiday_override_delete

        holiday_override_delete(day=obj.day, acting_user=request.user, reason=str(_("Deleted in the admin")))

    def delete_queryset(self, request, queryset):
        from workflow.calendar import holiday_override_delete

        for day in list(queryset.values_list("day", flat=True)):
            holiday_override_delete(day=day, acting_user=request.user, reason=str(_("Deleted in the admin")))


@admin.register(CalendarYear)
class CalendarYearAdmin(ChangedByMixin, admin.ModelAdmin):
    list_display = ("year", "notice", "entered_by_user", "entered_at")
    fields = ("year", "notice", "entered_by_user", "entered_at", "history")
    readonly_fields = ("entered_by_user", "entered_at", "history")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("year")
        return fields

    def has_delete_permission(self, request, obj=None):
        # No service withdraws a declared year: deadlines may already have been counted in it.
        return False

    @admin.display(description=_("history"))
    def history(self, obj):
        return _audit_table(obj)

    def save_model(self, request, obj, form, change):
        from workflow.calendar import calendar_year_declare

        saved = calendar_year_declare(year=obj.year, notice=obj.notice, days=[], acting_user=request.user)
        obj.pk = saved.pk
        obj.refresh_from_db()


# -- logs and records owned by services ------------------------------------------------------------


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "object_repr", "from_state", "to_state", "request_id")
    list_filter = ("action", "content_type")
    search_fields = ("actor_label", "action", "object_repr", "object_id", "reason", "request_id")
    date_hierarchy = "at"
    list_select_related = ("content_type",)

    def get_actions(self, request):
        return {}


class DeadlineEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DeadlineEvent
    extra = 0
    fields = ("created_at", "kind", "on_date", "due_before", "due_after", "amount", "reason", "approver", "actor")
    readonly_fields = fields


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "purpose", "content_type", "object_id", "start_on", "due_on", "status")
    list_filter = ("status", "rule__code", "content_type")
    search_fields = ("purpose", "object_id", "rule__code")
    date_hierarchy = "due_on"
    list_select_related = ("rule", "content_type")
    inlines = [DeadlineEventInline]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("doc_number", "title", "doc_type", "issuer", "issued_on", "status", "verification_code")
    list_filter = ("status", "doc_type")
    search_fields = ("doc_number", "title", "=verification_code", "sha256")
    date_hierarchy = "issued_on"
    list_select_related = ("issuer",)
    # The frozen context is internal; the file is served only through the permission-checked download view.
    exclude = ("context", "file")


@admin.register(DocumentSequence)
class DocumentSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("issuer", "series", "year", "last_number")
    list_filter = ("year",)
    list_select_related = ("issuer",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("delivered_on", "method", "recipient", "receipt", "recorded_by")
    list_filter = ("method",)
    search_fields = ("recipient", "receipt")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "destination", "topic", "status", "attempts", "next_attempt_at", "delivered_at")
    list_filter = ("status", "destination", "topic")
    search_fields = ("idempotency_key", "topic", "last_error")
    date_hierarchy = "created_at"
    actions = ["requeue"]

    def has_requeue_permission(self, request):
        return request.user.is_superuser or roles.has_role(request.user, roles.SUPERVISOR)

    @admin.action(description=_("Requeue the selected messages that gave up"), permissions=["requeue"])
    def requeue(self, request, queryset):
        from workflow.outbox import outbox_requeue

        done = 0
        for message in queryset:
            try:
                outbox_requeue(message=message, acting_user=request.user)
            except DomainError as exc:
                self.message_user(request, f"{message}: {exc.message}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d message requeued.", "%(count)d messages requeued.", done) % {"count": done},
                messages.SUCCESS,
            )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "recipient", "category", "title", "read_at", "emailed_at")
    list_filter = ("category",)
    search_fields = ("title", "recipient__username", "dedupe_key")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "at")


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("as_of", "started_at", "finished_at", "has_error")
    date_hierarchy = "as_of"

    @admin.display(boolean=True, description=_("failed"))
    def has_error(self, obj):
        return bool(obj.error)
