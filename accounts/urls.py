from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path, reverse_lazy

from accounts import views
from accounts.forms import PasswordResetForm, SetPasswordForm

app_name = "accounts"

urlpatterns = [
    path("sign-in/two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("sign-in/two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/", views.two_factor_manage, name="two_factor"),
    path("account/two-factor/recovery-codes/", views.recovery_codes_new, name="recovery_codes_new"),
    path("account/two-factor/turn-off/", views.two_factor_off, name="two_factor_off"),
    # Password reset (Django's views: the same answer whether or not the email is known; signed links
    # that expire after PASSWORD_RESET_TIMEOUT and stop working once the password changes).
    path(
        "sign-in/reset/",
        login_not_required(
            auth_views.PasswordResetView.as_view(
                form_class=PasswordResetForm,
                template_name="registration/password_reset.html",
                email_template_name="registration/password_reset_email.txt",
                subject_template_name="registration/password_reset_subject.txt",
                success_url=reverse_lazy("accounts:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "sign-in/reset/sent/",
        login_not_required(
            auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_sent.html")
        ),
        name="password_reset_done",
    ),
    path(
        "sign-in/reset/<uidb64>/<token>/",
        login_not_required(
            auth_views.PasswordResetConfirmView.as_view(
                form_class=SetPasswordForm,
                template_name="registration/password_reset_confirm.html",
                success_url=reverse_lazy("accounts:password_reset_complete"),
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "sign-in/reset/complete/",
        login_not_required(
            auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html")
        ),
        name="password_reset_complete",
    ),
    path("people/", views.people_list, name="people"),
    path("people/invite/", views.person_invite, name="person_invite"),
    path("people/changes/", views.people_changes, name="people_changes"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/<slug:change>/", views.person_change, name="person_change"),
]
