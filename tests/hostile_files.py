"""Crafted spreadsheets for the hostile-input tests and bench/hostile_input.py."""

import io, zipfile, time, tracemalloc, resource
from openpyxl import Workbook
def wide_row_xlsx(cells=2_500_000):
    wb = Workbook(); ws = wb.active; ws.append(["Action", "Owner"]); ws.append(["x", "y"])
    buf = io.BytesIO(); wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b'<row r="3">' + b"<c/>" * cells + b"</row></sheetData>")
            z.writestr(info.filename, data)
    return out.getvalue()
def malformed_xlsx():
    wb = Workbook(); ws = wb.active; ws.append(["Action", "Due date"]); ws.append(["x", 5])
    buf = io.BytesIO(); wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="B2" t="n"><v>5</v>', b'<c r="B2" t="n"><v>five</v>')
                assert b"five" in data, data
            z.writestr(info.filename, data)
    return out.getvalue()
