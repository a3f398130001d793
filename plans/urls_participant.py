"""URLs of the participant's pages: plans, items, uploads and downloads."""

from django.urls import path

from .views import downloads, participant, uploads

urlpatterns = [
    path("", participant.plan_list, name="plan_list"),
    path("plans/new/", participant.plan_create_view, name="plan_create"),
    path("plans/upload/", uploads.plan_upload_view, name="plan_upload"),
    path("templates/<str:kind>.xlsx", downloads.template_download, name="template_download"),
    path("plans/<int:pk>/", participant.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", participant.plan_edit_view, name="plan_edit"),
    path("plans/<int:pk>/upload/", uploads.plan_replace_view, name="plan_replace"),
    path("plans/<int:pk>/export.xlsx", downloads.plan_xlsx, name="plan_xlsx"),
    path("plans/<int:pk>/export.csv", downloads.plan_csv, name="plan_csv"),
    path(
        "plans/<int:pk>/workbooks/<int:workbook_pk>/",
        downloads.workbook_download,
        name="workbook_download",
    ),
    path("plans/<int:pk>/items/new/", participant.item_add_view, name="item_add"),
    path("plans/<int:pk>/items/check/", participant.item_check, name="item_check"),
    path("plans/<int:pk>/items/<int:item_pk>/", participant.item_detail, name="item_detail"),
    path("plans/<int:pk>/items/<int:item_pk>/edit/", participant.item_edit_view, name="item_edit"),
    path(
        "plans/<int:pk>/items/<int:item_pk>/remove/",
        participant.item_remove_view,
        name="item_remove",
    ),
]
