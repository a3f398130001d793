from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.my_reports, name="my_reports"),
    path("queue/", views.queue, name="queue"),
    path("periods/<int:period_id>/report/", views.report_new, name="report_new"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/review/", views.report_review, name="report_review"),
    path("<int:pk>/answer/", views.report_answer_view, name="report_answer"),
    path("<int:pk>/lines/<int:line_id>/decide/", views.line_decide, name="line_decide"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
]
