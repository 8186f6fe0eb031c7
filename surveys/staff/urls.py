"""The staff pages under /personal/: coordinators and the central office's readers."""

from django.urls import path

from . import views

app_name = "staff"

urlpatterns = [
    path("logga-in/", views.LoginView.as_view(), name="login"),
    path("logga-ut/", views.LogoutView.as_view(), name="logout"),
    path("losenord/", views.PasswordResetView.as_view(), name="password-reset"),
    path("losenord/skickat/", views.PasswordResetDoneView.as_view(), name="password-reset-sent"),
    path(
        "losenord/nytt/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("losenord/klart/", views.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("", views.start, name="start"),
    path("omgangar/", views.rounds_list, name="rounds"),
    path("omgangar/ny/", views.round_new, name="round-new"),
    path("omgangar/ny/forhandsgranska/", views.round_preview, name="round-preview"),
    path("omgangar/<int:round_id>/", views.round_page, name="round"),
    path("omgangar/<int:round_id>/andra/", views.round_edit, name="round-edit"),
    path(
        "omgangar/<int:round_id>/andra/forhandsgranska/", views.round_edit_preview, name="round-edit-preview"
    ),
    path("omgangar/<int:round_id>/resultat/", views.round_results, name="results"),
    path("omgangar/<int:round_id>/aktiviteter/", views.round_activities, name="activities"),
    path("omgangar/<int:round_id>/excel/", views.round_export, name="round-export"),
    path("omgangar/<int:round_id>/framsteg/", views.progress, name="progress"),
    path("omgangar/<int:round_id>/atgard/<slug:action>/", views.round_action, name="round-action"),
    path(
        "omgangar/<int:round_id>/organisationer/<int:assignment_id>/",
        views.assignment_page,
        name="assignment",
    ),
    path(
        "omgangar/<int:round_id>/organisationer/<int:assignment_id>/atgard/<slug:action>/",
        views.assignment_action,
        name="assignment-action",
    ),
    path("exporter/<int:job_id>/", views.export_page, name="export"),
    path("exporter/<int:job_id>/fil/", views.export_download, name="export-download"),
    path("arbetsbocker/", views.workbooks, name="workbooks"),
    path("arbetsbocker/plan/mall/", views.plan_template, name="plan-template"),
    path("arbetsbocker/plan/<int:programme_id>/", views.plan_download, name="plan-download"),
    path("arbetsbocker/plan/<int:subject_id>/kontroll/", views.plan_check, name="plan-check"),
    path("arbetsbocker/plan/import/<str:key>/", views.plan_import, name="plan-import"),
    path("arbetsbocker/plan/namn/<str:key>/", views.plan_names, name="plan-names"),
    path("arbetsbocker/enkat/mall/", views.questionnaire_template, name="questionnaire-template"),
    path("arbetsbocker/enkat/version/<int:version_id>/", views.version_download, name="version-download"),
    path(
        "arbetsbocker/enkat/<int:subject_id>/kontroll/",
        views.questionnaire_check,
        name="questionnaire-check",
    ),
    path("arbetsbocker/enkat/import/<str:key>/", views.questionnaire_import, name="questionnaire-import"),
]
