"""`timeline import`: load a `json` export (docs/export-format.md) into a database.

The file is read as a stream (ijson) and loaded in one transaction, checked as it goes: a file
that is not JSON or ends early, another format or schema revision, an unknown table or column,
a value of the wrong type or missing, a row out of primary-key order, a reference to a record
that does not exist, or a key the database already holds, stops the import with one line that
names the record, and the database is left exactly as it was (a SQLite file that the import
created is removed again).

Into a new or empty database the schema is created first (the migrations, in the same
transaction), the records keep the ids they have in the file, and PostgreSQL's id sequences
are moved past them. Into a database that has records, ``merge=True`` matches the records of
every table with a unique ``key`` column by that key: a record the database holds with the same
content (and the same rows in the tables that belong to it) is kept, a key it lacks is added with
new ids and its references remapped, and a key it holds with other content is a conflict.

The modules: :mod:`.reader` reads the file (in a worker process, :mod:`.reading_process`, when
it is large), :mod:`.values` types and checks each value, :mod:`.loader` writes rows in
batches (:class:`Loader`, also how `timeline export sqlite` fills its new database),
:mod:`.copying` writes them with PostgreSQL's COPY, :mod:`.merge` is ``--merge``, and
:mod:`.importer` puts them together.
"""

from timeline.importing.importer import file_size, import_file
from timeline.importing.loader import ImportSummary, Loader, copy_rows

__all__ = ["ImportSummary", "Loader", "copy_rows", "file_size", "import_file"]
