"""One decorator for roles; object access is checked by predicates on the models (404 when refused)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from portal.extensions import login_manager
from portal.models import Role


def role_required(*roles: Role) -> Callable:
    """Anonymous visitors go to sign-in; signed-in users without one of ``roles`` get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


staff_required = role_required(Role.SUPERVISOR, Role.ADMIN)
admin_required = role_required(Role.ADMIN)
#: Any signed-in account; which objects it may see is the models' predicates' business.
signed_in = role_required(*Role)
