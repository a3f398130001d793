"""Admin of organisations, users and roles, with read-only views of plan data.

The admin manages organisations, users and their roles. Plans, items, the
audit trail and uploaded workbooks are shown but never added, changed or
deleted here: plan data changes only through the participant pages and the
lifecycle services, which check the plan's state and audit every change.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from .choices import PARTICIPANT_ROLES, PlanState, UserRole
from .fields import CodeBodiesField
from .models import Item, Organisation, Plan, PlanEvent, UploadedWorkbook, User
from .permissions import STAFF_ROLES, is_staff_role, plans_visible_to
from .templatetags.lifecycle import action_label, state_label

OTHER_ROLE = "Other"
LISTED_ROLES = tuple(role for role in PARTICIPANT_ROLES if role != OTHER_ROLE)


class OrganisationForm(forms.ModelForm):
    """An organisation with its market roles ticked from the template's list.

    Roles outside the list go in "Other roles", comma-separated, and are
    stored as written. The participant ID is stored in upper case and must
    differ from every other organisation's in any case.
    """

    roles = forms.MultipleChoiceField(
        label="Market roles",
        choices=[(role, role) for role in PARTICIPANT_ROLES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text='Tick "Other" and name the role below for a role not in the list.',
    )
    other_roles = forms.CharField(
        label="Other roles",
        required=False,
        help_text="Roles not in the list, separated by commas, such as MEM.",
    )

    class Meta:
        model = Organisation
        fields = ["name", "participant_id", "roles"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = list(self.instance.roles or []) if self.instance.pk else []
        listed = [role for role in stored if role in LISTED_ROLES]
        others = [role for role in stored if role not in LISTED_ROLES]
        if not self.is_bound:
            self.initial["roles"] = listed + ([OTHER_ROLE] if others else [])
            self.initial["other_roles"] = ", ".join(others)

    def clean_participant_id(self):
        participant_id = self.cleaned_data["participant_id"].strip().upper()
        clash = Organisation.objects.filter(participant_id__iexact=participant_id)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        existing = clash.first()
        if existing is not None:
            raise forms.ValidationError(
                f"Participant ID {participant_id} is already used by {existing.name} "
                f"({existing.participant_id}); IDs are compared without regard to case."
            )
        return participant_id

    def clean(self):
        cleaned = super().clean()
        ticked = cleaned.get("roles") or []
        others = [role.strip() for role in cleaned.get("other_roles", "").split(",")]
        others = [role for role in others if role]
        if OTHER_ROLE in ticked and not others:
            self.add_error("other_roles", 'Name the other role, or untick "Other".')
        roles = [role for role in LISTED_ROLES if role in ticked]
        roles += [role for role in others if role not in roles]
        cleaned["roles"] = roles
        return cleaned


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationForm
    fields = ("name", "participant_id", "roles", "other_roles")
    list_display = ("name", "participant_id", "roles_text")
    search_fields = ("name", "participant_id")
    ordering = ("name",)

    @admin.display(description="Market roles")
    def roles_text(self, organisation):
        return ", ".join(organisation.roles or []) or "-"


class RoleOrganisationChecks:
    """Form checks that keep a user's role and organisation consistent.

    A participant user must belong to an organisation, and no other role may:
    every organisation is a market participant, whose plans its users see.
    """

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        organisation = cleaned.get("organisation")
        if role == UserRole.PARTICIPANT and organisation is None:
            self.add_error(
                "organisation", "A participant user must belong to an organisation; choose one."
            )
        elif role and role != UserRole.PARTICIPANT and organisation is not None:
            label = UserRole(role).label
            self.add_error(
                "organisation",
                f"Only participant users belong to an organisation, and {organisation} is a "
                f"participant organisation. Leave this empty for a {label}, or make the "
                "user a participant user.",
            )
        return cleaned


class WorkoffUserChangeForm(RoleOrganisationChecks, UserChangeForm):
    pass


class WorkoffUserCreationForm(RoleOrganisationChecks, AdminUserCreationForm):
    pass


@admin.register(User)
class WorkoffUserAdmin(UserAdmin):
    form = WorkoffUserChangeForm
    add_form = WorkoffUserCreationForm
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
        # The role decides admin access: reviewers, OSMs, PAB members and
        # administrators use the admin (the review queue and audit trail live
        # there), while participant users work only in the participant pages.
        obj.is_staff = obj.role in STAFF_ROLES
        if obj.role == UserRole.PARTICIPANT:
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


class ToStateFilter(admin.SimpleListFilter):
    """Filter audit entries by the state they led to, named by its label."""

    title = "to state"
    parameter_name = "to_state"

    def lookups(self, request, model_admin):
        return PlanState.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(to_state=self.value())
        return queryset


@admin.register(PlanEvent)
class PlanEventAdmin(ReadOnlyAdmin):
    """The audit trail, readable by every staff role for the plans it may see."""

    list_display = (
        "created_at",
        "plan",
        "action_text",
        "from_state_text",
        "to_state_text",
        "actor",
    )
    list_filter = ("action", ToStateFilter)
    list_select_related = ("plan__organisation", "actor")
    search_fields = ("action", "comment", "plan__organisation__participant_id")

    @admin.display(description="Action", ordering="action")
    def action_text(self, event):
        return action_label(event.action)

    @admin.display(description="From state", ordering="from_state")
    def from_state_text(self, event):
        return state_label(event.from_state) or "-"

    @admin.display(description="To state", ordering="to_state")
    def to_state_text(self, event):
        return state_label(event.to_state) or "-"

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
