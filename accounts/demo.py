"""Demo users: one administrator, one operator and two technicians (see seed_demo)."""

from __future__ import annotations

from django.db import transaction

from accounts.models import SecretQuestion, User
from accounts.secrets import hash_answer
from service_portal.roles import Role

# Every demo user can try password recovery: this question, this answer.
DEMO_QUESTION = "What was the first machine you repaired?"
DEMO_ANSWER = "demo"

DEMO_USERS = [
    # username, password, role, first name, last name, language, e-mail
    (
        "admin",
        "demo-admin-2026",
        Role.ADMINISTRATOR,
        "Anna",
        "Amministratori",
        "it",
        "admin@example.com",
    ),
    (
        "operator",
        "demo-operator-2026",
        Role.OPERATOR,
        "Oliver",
        "Operator",
        "en",
        "operator@example.com",
    ),
    (
        "tech1",
        "demo-tech1-2026",
        Role.TECHNICIAN,
        "Marco",
        "Rossi",
        "it",
        "marco.rossi@example.com",
    ),
    (
        "tech2",
        "demo-tech2-2026",
        Role.TECHNICIAN,
        "Thomas",
        "Smith",
        "en",
        "thomas.smith@example.com",
    ),
]


def seed(*, scale: int, progress) -> None:
    with transaction.atomic():
        for username, password, role, first, last, language, email in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "role": role,
                    "first_name": first,
                    "last_name": last,
                    "language": language,
                    "email": email,
                    "is_staff": role == Role.ADMINISTRATOR,
                    "is_superuser": role == Role.ADMINISTRATOR,
                },
            )
            if created:
                user.set_password(password)
                choice = SecretQuestion.objects.filter(text_en=DEMO_QUESTION).first()
                user.secret_question_choice = choice
                user.secret_question = "" if choice else DEMO_QUESTION
                user.secret_answer_hash = hash_answer(DEMO_ANSWER)
                user.save(
                    update_fields=[
                        "password",
                        "secret_question_choice",
                        "secret_question",
                        "secret_answer_hash",
                    ]
                )
        # Benchmarks need a realistic team: 50 technicians at every scale (the team does not
        # grow with the years of data; the planner board shows all of them).
        extra = 48 if scale > 0 else 0
        existing = set(
            User.objects.filter(username__startswith="tech-").values_list("username", flat=True)
        )
        new = []
        for i in range(1, extra + 1):
            username = f"tech-{i:03d}"
            if username not in existing:
                user = User(
                    username=username,
                    role=Role.TECHNICIAN,
                    first_name="Tecnico",
                    last_name=f"{i:03d}",
                    language="it",
                    email=f"{username}@example.com",
                )
                user.set_unusable_password()
                new.append(user)
        User.objects.bulk_create(new)
    progress.step("users", User.objects.count(), User.objects.count())


def logins() -> list[tuple[str, str, str]]:
    return [(u, p, str(r.label)) for u, p, r, *_ in DEMO_USERS]
