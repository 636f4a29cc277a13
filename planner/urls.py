from django.urls import path

from planner import views

app_name = "planner"

urlpatterns = [
    path("", views.board, name="board"),
    path("my/", views.my_calendar, name="my_calendar"),
    path("my/offline.json", views.offline_pages, name="offline_pages"),
    path("technicians/<int:technician_pk>/<str:day>/", views.day_detail, name="day"),
    path("activities/<int:pk>/edit/", views.activity_update, name="activity_update"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("interventions/<int:pk>/plan/", views.plan, name="plan"),
    path("interventions/<int:pk>/hours/", views.intervention_hours, name="intervention_hours"),
    path("hours/", views.hours_month, name="hours_month"),
    path("hours/team/", views.team_hours, name="team_hours"),
    path("hours/team/export.csv", views.team_hours_csv, name="team_hours_csv"),
    path("hours/team/export.xlsx", views.team_hours_xlsx, name="team_hours_xlsx"),
    path("hours/entries/<int:pk>/edit/", views.time_entry_update, name="time_entry_update"),
    path("hours/entries/<int:pk>/delete/", views.time_entry_delete, name="time_entry_delete"),
    path("hours/<str:day>/", views.hours_day, name="hours_day"),
    path("feed/", views.feed_settings, name="feed_settings"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
