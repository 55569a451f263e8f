"""Import of persons and companies from CSV and XLSX (issue 3, item 1).

Layout: reading.py (format, encoding and separator detection; rows), fields.py (targets
and header → field suggestions in Russian and English), values.py and rows.py (one
cell / one row cleaned and normalised), matching.py (existing records by external id,
INN, phone, e-mail: `find_matches` / `match_record`, reusable by duplicate detection),
writer.py (COPY / executemany), engine.py (the chunked check and run), undo.py,
work.py (claim, resume, reconcile), services.py (the user's steps), report.py (preview,
error report), upload.py (streamed, size-limited upload).
"""
