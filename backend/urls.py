"""URLs: the admin, the REST API with its OpenAPI schema, the respondents' pages, and /healthz."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from surveys.views_health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="surveys/api/redoc.html"),
        name="api-redoc",
    ),
    path("api/", include("surveys.api.urls")),
    path("", include("surveys.urls")),
]
