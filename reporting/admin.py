"""Read-only admin views of reporting data; every change goes through the services."""

from django.contrib import admin

from plans.admin_core import ReadOnlyAdmin

from .models import ChaseNotice, Report, ReportingPeriod


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ReadOnlyAdmin):
    list_display = ("plan", "sequence", "due_at", "excused_at")
    list_select_related = ("plan__organisation",)
    list_filter = ("plan__state",)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("plan", "period", "route", "submitted_at", "is_late", "status")
    list_select_related = ("plan__organisation", "period")
    list_filter = ("route", "status", "is_late")


@admin.register(ChaseNotice)
class ChaseNoticeAdmin(ReadOnlyAdmin):
    list_display = ("period", "kind", "created_at", "sent_at")
    list_select_related = ("period",)
    list_filter = ("kind",)
