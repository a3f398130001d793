from django.urls import path

from . import views

app_name = "escalation"

urlpatterns = [
    path("", views.escalation_list, name="list"),
    path("<int:pk>/", views.escalation_detail, name="detail"),
    path("plans/<int:plan_id>/raise/", views.escalation_raise, name="raise"),
    path("<int:pk>/hearing/", views.escalation_hearing, name="hearing"),
    path("<int:pk>/presentation/", views.escalation_presentation, name="presentation"),
    path(
        "<int:pk>/presentation/download/",
        views.presentation_download,
        name="presentation_download",
    ),
    path(
        "<int:pk>/presentations/<int:presentation_id>/download/",
        views.presentation_version_download,
        name="presentation_version_download",
    ),
    path("<int:pk>/outcome/", views.escalation_outcome, name="outcome"),
    path("<int:pk>/compliance/", views.escalation_compliance, name="compliance"),
]
