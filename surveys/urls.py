"""The respondents' web pages (Swedish, server-rendered, working without JavaScript)."""

from django.urls import path

from . import views, views_results

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    path("l/<str:token>/", views.magic_link, name="magic-link"),
    path("enkat/", views.start, name="start"),
    path("enkat/resultat/", views_results.results, name="results"),
]
