from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("logout/everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("language/", views.set_language, name="set_language"),
    path("welcome/", views.onboarding, name="onboarding"),
    path("password/", views.password_change, name="password_change"),
    path("secret-question/", views.secret_change, name="secret_change"),
    path("recover/", views.recover_start, name="recover_start"),
    path("recover/code/", views.recover_code, name="recover_code"),
    path("recover/answer/", views.recover_answer, name="recover_answer"),
    path("recover/password/", views.recover_password, name="recover_password"),
    path("users/", views.UserList.as_view(), name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/code/", views.user_code, name="user_code"),
    path("users/<int:pk>/issue-code/", views.user_issue_code, name="user_issue_code"),
    path(
        "users/<int:pk>/issue-recovery-code/",
        views.user_issue_recovery_code,
        name="user_issue_recovery_code",
    ),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path(
        "users/<int:pk>/deactivate/",
        views.user_set_active,
        {"active": False},
        name="user_deactivate",
    ),
    path(
        "users/<int:pk>/reactivate/",
        views.user_set_active,
        {"active": True},
        name="user_reactivate",
    ),
    path("audit/", views.AuditLog.as_view(), name="audit_log"),
]
