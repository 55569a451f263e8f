"""Duplicate persons (P8): found on entry and in batch, reviewed, merged.

keys.py     transliteration-proof name skeletons, gender, entry index keys
match.py    the pairwise rule (what makes two records one customer)
engine.py   blocking, judging and clustering a population in memory
job.py      the batch run against the database (command `sputnik dedup`, Huey task)
entry.py    `probable_duplicates`: the one check the form, the API and imports call
synthetic.py  a labelled synthetic population for tests and the benchmark
"""
