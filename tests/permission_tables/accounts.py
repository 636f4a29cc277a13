from tests.factories import make_user
from tests.permission_tables import ADMIN, ADMIN_ONLY, ANON, LOGIN, OPER, PUBLIC, TECH, Row


def build(world):
    world.target_user = make_user("perm-target", "technician", password="a-long-password-1")


def _target(world):
    return [world.target_user.pk]


# A POST an administrator may make (redirect) and nobody else.
ADMIN_POST = {ANON: LOGIN, TECH: 403, OPER: 403, ADMIN: 302}
EVERYONE_POST = {ANON: LOGIN, TECH: 302, OPER: 302, ADMIN: 302}
EVERYONE_GET = {ANON: LOGIN, TECH: 200, OPER: 200, ADMIN: 200}
# Recovery steps without a recovery in progress send everyone back to the first step.
BACK_TO_START = {ANON: 302, TECH: 302, OPER: 302, ADMIN: 302}

ROWS = [
    Row("accounts:onboarding", {ANON: LOGIN, TECH: 302, OPER: 302, ADMIN: 302}),
    Row("accounts:password_change", EVERYONE_GET),
    Row("accounts:secret_change", EVERYONE_GET),
    Row("accounts:logout_everywhere", EVERYONE_POST, method="post"),
    Row("accounts:recover_start", PUBLIC),
    Row("accounts:recover_code", BACK_TO_START),
    Row("accounts:recover_answer", BACK_TO_START),
    Row("accounts:recover_password", BACK_TO_START),
    Row("accounts:user_list", ADMIN_ONLY),
    Row("accounts:user_create", ADMIN_ONLY),
    Row("accounts:user_detail", ADMIN_ONLY, _target),
    Row("accounts:user_code", ADMIN_ONLY, _target),
    Row("accounts:user_issue_code", ADMIN_POST, _target, method="post"),
    Row("accounts:user_issue_recovery_code", ADMIN_POST, _target, method="post"),
    Row("accounts:user_unlock", ADMIN_POST, _target, method="post"),
    Row("accounts:user_deactivate", ADMIN_POST, _target, method="post"),
    Row("accounts:user_reactivate", ADMIN_POST, _target, method="post"),
    Row("accounts:audit_log", ADMIN_ONLY),
]
