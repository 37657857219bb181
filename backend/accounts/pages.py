"""The set-password page that invitation and reset links open: server-rendered, mobile
first, no scripts, under the default Content-Security-Policy (as the landing page)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import get_language_from_request
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from backend.accounts.mails import copy_for
from backend.accounts.passwords import (
    ResetLinkInvalid,
    password_reset_confirm,
    password_reset_employee,
)


def _private(response: HttpResponse) -> HttpResponse:
    # The token is in the URL: never send it to another site, never cache or index the
    # page. `same-origin`, not `no-referrer`: with the latter browsers post the form with
    # `Origin: null`, which CSRF protection rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _page(
    request: HttpRequest, language: str, status: int = 200, **context: object
) -> HttpResponse:
    email = str(context.get("email", ""))
    texts = {key: value.replace("{email}", email) for key, value in copy_for(language).items()}
    context = {"lang": language, "copy": texts, **context}
    return _private(render(request, "accounts/set_password.html", context, status=status))


@csrf_protect
@require_http_methods(["GET", "POST"])
def set_password_page(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        employee = password_reset_employee(uid=uidb64, token=token)
    except ResetLinkInvalid:
        language = "nl" if get_language_from_request(request) == "nl" else "en"
        return _page(request, language, status=400, state="invalid")
    language = employee.language
    errors: list[str] = []
    if request.method == "POST":
        password = request.POST.get("new_password", "")
        if password != request.POST.get("new_password_again", ""):
            errors = [copy_for(language)["mismatch"]]
        else:
            with translation.override(language):  # the validators' messages
                try:
                    password_reset_confirm(uid=uidb64, token=token, new_password=password)
                except ValidationError as exc:
                    errors = exc.message_dict.get("new_password", exc.messages)
                except ResetLinkInvalid:
                    return _page(request, language, status=400, state="invalid")
            if not errors:
                return _page(request, language, state="done", email=employee.email)
    # Form errors re-render the form (200), as Django's own forms do.
    return _page(request, language, state="form", email=employee.email, errors=errors)
