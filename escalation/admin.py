"""Read-only admin view of escalations; every step goes through the services."""

from django.contrib import admin

from .models import Escalation


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ("plan", "reason", "path", "status", "raised_at", "raised_by")
    list_select_related = ("plan__organisation", "raised_by")
    list_filter = ("path", "reason", "status")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
