"""The request type of views that only a signed-in employee can reach.

DRF types `request.user` as `AbstractBaseUser | AnonymousUser` because it cannot know a
view's permissions. Views whose permission classes all extend `IsEmployee` (which refuses
anonymous and inactive users before the handler runs) annotate their handlers with
`EmployeeRequest`, so the type checker knows `request.user` is an `Employee` there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.request import Request

if TYPE_CHECKING:
    from backend.accounts.models import Employee

    class EmployeeRequest(Request):
        user: Employee  # type: ignore[assignment]  # narrowed by IsEmployee before the handler

else:
    EmployeeRequest = Request

__all__ = ["EmployeeRequest"]
