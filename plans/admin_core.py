"""Admin of organisations, users and roles, with read-only views of plan data.

The admin manages organisations, users and their roles. Plans, items, the
audit trail and uploaded workbooks are shown but never added, changed or
deleted here: plan data changes only through the participant pages and the
lifecycle services, which check the plan's state and audit every change.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .choices import UserRole
from .fields import CodeBodiesField
from .models import Item, Organisation, Plan, PlanEvent, UploadedWorkbook, User
from .permissions import is_staff_role, plans_visible_to


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "participant_id", "roles")
    search_fields = ("name", "participant_id")
    ordering = ("name",)


@admin.register(User)
class WorkoffUserAdmin(UserAdmin):
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "organisation",
        "is_staff",
    )
    list_filter = ("role", "organisation", "is_staff", "is_superuser", "is_active")
    list_select_related = ("organisation",)
    search_fields = ("username", "first_name", "last_name", "email", "organisation__participant_id")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Role in Work Off Plans", {"fields": ("role", "organisation")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Role in Work Off Plans", {"fields": ("role", "organisation")}),
    )

    def save_model(self, request, obj, form, change):
        # Participant users work only in the participant pages, never in the admin.
        if obj.role == UserRole.PARTICIPANT:
            obj.is_staff = False
            obj.is_superuser = False
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows records but never adds, changes or deletes them."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The admin gives every CharField a text input, which cannot show a
        # set of code bodies; the field's own check boxes can.
        if isinstance(db_field, CodeBodiesField):
            return db_field.formfield()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ItemInline(admin.TabularInline):
    model = Item
    fields = ("reference", "defect_number", "severity", "defect_status", "defect_title")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    """Plans, shown read-only.

    A change of route, code bodies or any other field here would skip the
    state checks and the audit trail of the plan services.
    """

    list_display = (
        "id",
        "organisation",
        "kind",
        "route",
        "state",
        "version",
        "lead_code_body",
        "code_bodies_text",
        "updated_at",
    )
    list_filter = ("state", "route", "kind", "lead_code_body")
    list_select_related = ("organisation",)
    search_fields = (
        "organisation__participant_id",
        "organisation__name",
        "participant_name",
        "contact_name",
        "contact_email",
    )
    # The view page shows the form's fields; these two are not editable on
    # the model, so they are listed here to appear too.
    readonly_fields = ("state", "updated_at")
    inlines = (ItemInline,)

    @admin.display(description="Code bodies", ordering="code_bodies")
    def code_bodies_text(self, plan):
        return "/".join(plan.code_bodies) or "-"


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    """Items change only through the participant's pages and workbook imports.

    Those keep the plan's code bodies up to date and reject changes to a plan
    that is not a draft or returned, which an admin form would bypass.
    """

    list_display = ("reference", "defect_number", "severity", "defect_status", "plan")
    list_filter = ("severity", "defect_status", "confidence")
    list_select_related = ("plan__organisation",)
    search_fields = (
        "reference",
        "defect_number",
        "defect_title",
        "plan__organisation__participant_id",
    )
    raw_id_fields = ("plan",)


@admin.register(PlanEvent)
class PlanEventAdmin(ReadOnlyAdmin):
    """The audit trail, readable by every staff role for the plans it may see."""

    list_display = ("created_at", "plan", "action", "from_state", "to_state", "actor")
    list_filter = ("action", "to_state")
    list_select_related = ("plan__organisation", "actor")
    search_fields = ("action", "comment", "plan__organisation__participant_id")

    def get_queryset(self, request):
        visible = plans_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(plan__in=visible)

    def has_module_permission(self, request):
        return is_staff_role(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_role(request.user)


@admin.register(UploadedWorkbook)
class UploadedWorkbookAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "plan", "sha256", "size", "uploaded_by", "uploaded_at")
    list_select_related = ("plan__organisation", "uploaded_by")
    search_fields = ("original_name", "sha256", "plan__organisation__participant_id")
