"""Read-only admin view of escalations; every step goes through the services."""

from django.contrib import admin

from plans.admin_core import ReadOnlyAdmin

from .models import Escalation


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ("plan", "reason", "path", "status", "raised_at", "raised_by")
    list_select_related = ("plan__organisation", "raised_by")
    list_filter = ("path", "reason", "status")
