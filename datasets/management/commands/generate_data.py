from datetime import date

from django.core.management.base import BaseCommand, CommandError

from datasets.generation import GENERATED_PASSWORD, Generator, timed


class Command(BaseCommand):
    help = (
        "Generate realistic inspections, findings, action plans and their history for many authorities, "
        "in bulk, for load benchmarks. Use a fresh database: it refuses to run twice on the same one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--authorities", type=int, default=153, help="How many authorities, first by name.")
        parser.add_argument("--years", type=int, default=10, help="How many years of history, ending today.")
        parser.add_argument(
            "--scale", type=int, default=1,
            help="Multiplies every authority's visits (and so its findings, actions and updates).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Same seed and --today, same data.")
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="Anchor date (YYYY-MM-DD).")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")
        parser.add_argument(
            "--resume", action="store_true",
            help="Finish an interrupted run (same arguments): authorities already written are skipped.",
        )

    def handle(self, *args, **options):
        generator = Generator(
            authorities=options["authorities"],
            years=options["years"],
            scale=options["scale"],
            seed=options["seed"],
            today=options["today"],
            batch_size=options["batch_size"],
            show_progress=not options["no_progress"],
            progress_stream=self.stderr._out,
            resume=options["resume"],
        )
        try:
            counts, seconds = timed(generator.run)
        except ValueError as error:
            raise CommandError(str(error)) from error
        summary = ", ".join(f"{value:,} {name}" for name, value in counts.as_dict().items())
        if generator.skipped:
            self.stdout.write(f"Resumed: {generator.skipped} authorities were already generated and were skipped.")
        self.stdout.write(self.style.SUCCESS(f"Generated in {seconds:.1f}s: {summary}."))
        self.stdout.write(f"Generated users sign in with the password {GENERATED_PASSWORD!r}.")
