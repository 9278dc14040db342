"""Import an Ofsted letter or report from the command line, or read it without saving (--dry-run).

    python manage.py import_letter PATH [--authority SLUG] [--dry-run] [--format json]

The JSON printed with --dry-run --format json is a stable contract used by scripts and checks. Without
--dry-run the publication is saved through the same service as the web import (inspection_import), with the
suggested theme for each point and no repeat links (those need a person to accept them).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from findings.models import FindingKind, Theme
from findings.services import theme_suggest
from inspections.importing import ImportRejected, import_upload
from inspections.models import LocalAuthority
from inspections.selectors import authority_matching
from inspections.services import DuplicateImport, NewAuthority
from findings.services import FindingInput, InspectionInput, JudgementInput, inspection_import

MAX_BYTES = 40 * 1024 * 1024


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


class Command(BaseCommand):
    help = "Read an Ofsted letter or report (PDF or text) and import it, or print what was read (--dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The PDF or text file to import.")
        parser.add_argument("--authority", metavar="SLUG", help="Import into this authority, whatever the letter says.")
        parser.add_argument("--dry-run", action="store_true", help="Read and print only; save nothing.")
        parser.add_argument("--format", choices=["text", "json"], default="text", help="Output format.")
        parser.add_argument("--user", metavar="USERNAME", help="Record the import as this admin's, with their permissions.")

    def handle(self, *args, path: str, authority: str | None, dry_run: bool, format: str, user: str | None, **options):
        source, filename = self._read(path)
        try:
            parsed = import_upload(source, filename)
        except ImportRejected as rejected:
            raise CommandError(_one_line(rejected.message), returncode=2) from None

        contract = parsed.to_contract()
        if dry_run:
            self._print(contract, parsed, format, inspection=None)
            return

        target = self._authority(authority, parsed)
        if parsed.kind is None or parsed.visit_start is None or parsed.visit_end is None:
            raise CommandError(
                "The kind or dates of the visit could not be read; import it through the web preview to enter them.",
                returncode=2,
            )
        importer = self._user(user)
        themes = list(Theme.objects.order_by("position", "name"))
        points = [
            (FindingKind.PRIORITY_ACTION, text, refs)
            for text, refs in zip(parsed.priority_actions, parsed.priority_action_refs)
        ]
        points += [
            (FindingKind.IMPROVEMENT, text, refs) for text, refs in zip(parsed.improvements, parsed.improvement_refs)
        ]
        data = InspectionInput(
            authority=target if isinstance(target, LocalAuthority) else None,
            kind=parsed.kind,
            framework=parsed.framework,
            visit_start=parsed.visit_start,
            visit_end=parsed.visit_end,
            published_on=parsed.published_on,
            inspectors=list(parsed.inspectors),
            focus_area=parsed.focus_area or "",
            headline=parsed.headline,
            judgements=[JudgementInput(area=j.area, grade=j.grade) for j in parsed.judgements],
            findings=[
                FindingInput(text=text, kind=kind, theme=theme_suggest(text, themes), framework_refs=list(refs))
                for kind, text, refs in points
            ],
        )
        try:
            inspection = inspection_import(
                data=data,
                source=source,
                filename=filename,
                user=importer,
                new_authority=target if isinstance(target, NewAuthority) else None,
            )
        except DuplicateImport as duplicate:
            existing = duplicate.existing
            raise CommandError(
                f"{duplicate.message}: inspection {existing.pk} ({existing.get_absolute_url()}); nothing was saved.",
                returncode=3,
            ) from None
        except (ValidationError, PermissionDenied) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise CommandError(_one_line(text), returncode=2) from None
        self._print(contract, parsed, format, inspection=inspection)

    def _read(self, path: str) -> tuple[bytes, str]:
        file = Path(path)
        try:
            if file.stat().st_size > MAX_BYTES:
                raise CommandError(f"{path} is too large to import (the limit is 40 MB).", returncode=2)
            return file.read_bytes(), file.name
        except FileNotFoundError:
            raise CommandError(f"{path} does not exist.", returncode=2) from None
        except IsADirectoryError:
            raise CommandError(f"{path} is a directory, not a file.", returncode=2) from None
        except PermissionError:
            raise CommandError(f"{path} cannot be read (permission denied).", returncode=2) from None
        except OSError as error:
            raise CommandError(_one_line(f"{path} cannot be read: {error.strerror or error}"), returncode=2) from None

    def _authority(self, slug: str | None, parsed) -> LocalAuthority | NewAuthority:
        if slug:
            found = LocalAuthority.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"There is no authority with the slug {slug!r}.", returncode=2)
            return found
        found = authority_matching(name=parsed.local_authority, urn=parsed.authority_urn)
        if found is not None:
            return found
        if parsed.local_authority and parsed.authority_urn:
            return NewAuthority(name=parsed.local_authority, ofsted_urn=parsed.authority_urn)
        raise CommandError("The local authority could not be read; name it with --authority SLUG.", returncode=2)

    def _user(self, username: str | None):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user called {username!r}.", returncode=2)
        return user

    def _print(self, contract: dict, parsed, format: str, *, inspection) -> None:
        if format == "json":
            payload = dict(contract)
            if inspection is not None:
                payload["inspection_id"] = inspection.pk
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        lines = []
        if inspection is not None:
            lines.append(f"Imported as inspection {inspection.pk}: {inspection.get_absolute_url()}")
        else:
            lines.append("Dry run: nothing was saved.")
        lines += [
            f"Local authority: {contract['local_authority'] or 'not found'}",
            f"Kind: {contract['kind'] or 'not found'}",
            f"Visit: {contract['visit_start'] or '?'} to {contract['visit_end'] or '?'}",
            f"Published: {contract['published_on'] or 'not found'}",
            f"Inspectors: {', '.join(contract['inspectors']) or 'not found'}",
        ]
        if contract.get("focus_area"):
            lines.append(f"Area of practice: {contract['focus_area']}")
        if contract["judgements"]:
            lines.append("Judgements:")
            lines += [f"  {j['area']}: {j['grade']}" for j in contract["judgements"]]
        for title, items, refs in (
            ("Areas for priority action", contract["priority_actions"], contract["priority_action_refs"]),
            ("Improvements", contract["improvements"], contract["improvement_refs"]),
        ):
            if items:
                lines.append(f"{title} ({len(items)}):")
                for number, (item, tags) in enumerate(zip(items, refs), start=1):
                    lines.append(f"  {number}. {item}" + (f" [{', '.join(tags)}]" if tags else ""))
        if parsed.warnings:
            lines.append("Warnings:")
            lines += [f"  - {warning}" for warning in parsed.warnings]
        self.stdout.write("\n".join(lines))
