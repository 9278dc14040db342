from django.core.management.base import BaseCommand

from base64 import b32encode

from django.conf import settings

from datasets.demo.data import DEMO_PASSWORD, DEMO_TOTP_KEY, DEMO_TOTP_USERS, DEMO_USERS
from datasets.demo.loader import demo_load


class Command(BaseCommand):
    help = "Load the demo (Barnsley and Barnet from the seed material) and the demo users. Safe to run twice."

    def handle(self, *args, **options):
        counts = demo_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {counts['inspections']} new inspections, {counts['actions']} new actions."
            )
        )
        self.stdout.write("Demo sign-ins (password for each: %s):" % DEMO_PASSWORD)
        for username, role, first, last, authorities, _ in DEMO_USERS[:6]:
            self.stdout.write(f"  {username:<12} {role:<17} {', '.join(authorities)}")
        if settings.TWO_FACTOR_REQUIRED:
            self.stdout.write(
                "Two-factor key of %s (add it to an authenticator app): %s"
                % (" and ".join(DEMO_TOTP_USERS), b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode())
            )
