"""URLs of the lifecycle pages: submit, withdraw, versions and the PAB page.

Reviewers decide in the admin's review queue (plans.admin_review).
"""

from django.urls import path

from .views import lifecycle

urlpatterns = [
    path("plans/<int:pk>/submit/", lifecycle.plan_submit_view, name="plan_submit"),
    path("plans/<int:pk>/withdraw/", lifecycle.plan_withdraw_view, name="plan_withdraw"),
    path("plans/<int:pk>/versions/<int:number>/", lifecycle.version_detail, name="version_detail"),
    path("pab/", lifecycle.pab_queue, name="pab_queue"),
    path("pab/<int:pk>/decide/", lifecycle.pab_decide_view, name="pab_decide"),
]
