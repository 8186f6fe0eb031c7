"""URLs: the admin, the REST API with its OpenAPI schema, the respondents' pages, and /healthz."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from surveys import views_health

urlpatterns = [
    path("healthz", views_health.ready, name="healthz"),
    path("healthz/live", views_health.live, name="healthz-live"),
    path("healthz/ready", views_health.ready, name="healthz-ready"),
    path("healthz/status", views_health.background, name="healthz-status"),
    path("admin/", admin.site.urls),
    path("personal/", include("surveys.staff.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="surveys/api/redoc.html"),
        name="api-redoc",
    ),
    path("api/", include("surveys.api.urls")),
    path("", include("surveys.urls")),
]

handler400 = "surveys.views_errors.bad_request"
handler403 = "surveys.views_errors.permission_denied"
handler404 = "surveys.views_errors.page_not_found"
handler500 = "surveys.views_errors.server_error"
