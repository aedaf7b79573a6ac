"""`timeline draft`: candidate events of a stored document, for the curator to edit and load.

sentences splits the text, dates reads its date expressions, statutes and actors find what each
sentence cites and names, candidates puts them together, store reads the database, writer writes
the annotation file.
"""
