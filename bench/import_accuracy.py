"""Accuracy and speed of the Ofsted importer against the answer keys.

Run from the repository root:  .venv/bin/python bench/import_accuracy.py [--text]

For every expected result (tests/importing/corpus/expected/<folder>/<name>.json with
its PDF in tests/importing/corpus/<folder>/<name>.pdf, and tests/importing/corpus/
synthetic/<name>.json with its source beside it) the importer is run on the source
and compared field by field. Prints per-field and overall accuracy, every mismatch
(document, field, expected vs got) and the extract+parse time of the longest PDF
(median of 5 runs; --all-timings adds the five slowest PDFs). The national-framework tags of the
points ("outcome 4") are counted one by one: a tag is right when the point at the same place has it,
and the total is every tag expected or returned. With --text the committed pdftotext copies
(tests/importing/corpus/text/<folder>/<name>.txt) are imported instead of the PDFs. With --pypdf
the PDFs are read with pypdf instead of PDFium (pypdfium2), to compare the two extractors.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inspections.importing import CONTRACT_FIELDS, parse_publication, text_from_upload  # noqa: E402

CORPUS = ROOT / "tests" / "importing" / "corpus"
FIELDS = CONTRACT_FIELDS


def cases(use_text: bool = False):
    """Yield (label, source path, expected dict)."""
    for expected_path in sorted((CORPUS / "expected").glob("*/*.json")):
        folder = expected_path.parent.name
        if use_text:
            source = CORPUS / "text" / folder / (expected_path.stem + ".txt")
        else:
            source = CORPUS / folder / (expected_path.stem + ".pdf")
        if source.exists():
            yield f"{folder}/{expected_path.stem}", source, json.loads(expected_path.read_text("utf-8"))
    for expected_path in sorted((CORPUS / "synthetic").glob("*.json")):
        sources = [p for p in expected_path.parent.glob(expected_path.stem + ".*") if p.suffix != ".json"]
        if sources:
            yield f"synthetic/{expected_path.stem}", sources[0], json.loads(expected_path.read_text("utf-8"))


def import_file(path: Path) -> dict:
    return parse_publication(text_from_upload(path.read_bytes(), path.name)).to_contract()


def main(argv: list[str]) -> int:
    use_text = "--text" in argv
    if "--pypdf" in argv:
        # compare with the previous extractor: PDFium off, pypdf reads the PDFs
        from inspections.importing import extract

        extract.pdfium = None
    right = {f: 0 for f in FIELDS}
    total = 0
    mismatches = []
    tags_right = tags_total = 0
    tagged_documents = 0
    for label, source, expected in cases(use_text):
        total += 1
        try:
            got = import_file(source)
        except Exception as exc:  # an ImportRejected is a miss on every field
            got = {f: f"<{type(exc).__name__}: {exc}>" for f in FIELDS}
        expected_tags = expected.get("improvement_refs", []) + expected.get("priority_action_refs", [])
        got_tags = got.get("improvement_refs", []) + got.get("priority_action_refs", [])
        if not isinstance(got_tags, list):
            got_tags = []
        if any(expected_tags) or any(got_tags):
            tagged_documents += 1
        for i in range(max(len(expected_tags), len(got_tags))):
            e = set(expected_tags[i]) if i < len(expected_tags) else set()
            g = set(got_tags[i]) if i < len(got_tags) else set()
            tags_right += len(e & g)
            tags_total += len(e | g)
        for f in FIELDS:
            if got.get(f) == expected.get(f):
                right[f] += 1
            else:
                mismatches.append((label, f, expected.get(f), got.get(f)))
    if not total:
        print("No expected files found.")
        return 1
    print(f"Documents: {total}{' (pdftotext text copies)' if use_text else ''}")
    print(f"{'field':<18} accuracy")
    for f in FIELDS:
        print(f"{f:<18} {right[f]:>3}/{total}  {100.0 * right[f] / total:6.1f}%")
    all_right = sum(right.values())
    print(f"{'overall':<18} {all_right:>3}/{total * len(FIELDS)}  {100.0 * all_right / (total * len(FIELDS)):6.1f}%")
    share = f"{100.0 * tags_right / tags_total:6.1f}%" if tags_total else "   n/a"
    print(f"{'framework tags':<18} {tags_right:>3}/{tags_total}  {share}  (on {tagged_documents} documents with tags)")
    print()
    if mismatches:
        print(f"Mismatches ({len(mismatches)}):")
        for label, f, exp, got in mismatches:
            print(f"- {label} [{f}]")
            if isinstance(exp, list) and isinstance(got, list):
                for i in range(max(len(exp), len(got))):
                    e = exp[i] if i < len(exp) else "<missing>"
                    g = got[i] if i < len(got) else "<missing>"
                    if e != g:
                        print(f"    [{i}] expected: {json.dumps(e, ensure_ascii=False)}")
                        print(f"    [{i}]      got: {json.dumps(g, ensure_ascii=False)}")
            else:
                print(f"    expected: {json.dumps(exp, ensure_ascii=False)}")
                print(f"         got: {json.dumps(got, ensure_ascii=False)}")
    else:
        print("No mismatches.")
    print()
    pdfs = sorted(CORPUS.glob("inspections/*.pdf")) + sorted(CORPUS.glob("focused-visits/*.pdf"))
    if pdfs:
        from pypdf import PdfReader

        longest = max(pdfs, key=lambda p: (len(PdfReader(str(p)).pages), p.stat().st_size))
        data = longest.read_bytes()
        import resource

        from inspections.importing import extract

        timings, cpu = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            c0 = time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
            c0 += resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime
            parse_publication(text_from_upload(data, longest.name))
            timings.append(time.perf_counter() - t0)
            c1 = time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
            c1 += resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime
            cpu.append(c1 - c0)
        print(
            f"Longest PDF: {longest.relative_to(ROOT)} ({len(PdfReader(str(longest)).pages)} pages, "
            f"{longest.stat().st_size // 1024} KiB), extracted with "
            f"{'PDFium (pypdfium2)' if extract.pdfium is not None else 'pypdf'}: extract+parse median of 5 = "
            f"{statistics.median(timings):.3f} s (min {min(timings):.3f} s, max {max(timings):.3f} s); "
            f"CPU time (this process and the extraction child) median {statistics.median(cpu):.3f} s"
        )
        if "--all-timings" in argv:
            slowest = []
            for pdf in pdfs:
                data = pdf.read_bytes()
                runs = []
                for _ in range(3):
                    t0 = time.perf_counter()
                    parse_publication(text_from_upload(data, pdf.name))
                    runs.append(time.perf_counter() - t0)
                slowest.append((statistics.median(runs), pdf))
            slowest.sort(reverse=True)
            for seconds, pdf in slowest[:5]:
                print(f"  {pdf.relative_to(ROOT)}: median of 3 = {seconds:.3f} s")
        if hasattr(os, "getloadavg"):
            print(f"(load average while timing: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
