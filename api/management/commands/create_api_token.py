from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api.models import Scope
from api.services import create_token


class Command(BaseCommand):
    help = "Create an API token and print its secret (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--scopes", nargs="+", required=True, choices=Scope.values, metavar="SCOPE"
        )
        parser.add_argument("--user", help="Username recorded as the token's creator.")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']}.")
        try:
            token, secret = create_token(
                name=options["name"], scopes=options["scopes"], created_by=user
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stderr.write(f"Token {token} with scopes {', '.join(token.scopes)}.")
        self.stderr.write("Copy the secret now, it will not be shown again:")
        self.stdout.write(secret)
