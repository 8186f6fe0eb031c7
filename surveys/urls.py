"""The respondents' web pages (Swedish, server-rendered, working without JavaScript)."""

from django.urls import path

from . import views, views_answer, views_info, views_results

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    path("l/<str:token>/", views.magic_link, name="magic-link"),
    path("enkat/", views_answer.start, name="start"),
    path("enkat/logga-ut/", views_answer.logout, name="logout"),
    path("enkat/<int:assignment_id>/", views_answer.overview, name="overview"),
    path("enkat/<int:assignment_id>/avsnitt/<int:number>/", views_answer.section, name="section"),
    path("enkat/<int:assignment_id>/granska/", views_answer.review, name="review"),
    path("enkat/<int:assignment_id>/kvitto/", views_answer.receipt, name="receipt"),
    path("enkat/resultat/", views_results.results, name="results"),
    path("tillganglighet/", views_info.accessibility, name="accessibility"),
    path("personuppgifter/", views_info.privacy, name="privacy"),
]
