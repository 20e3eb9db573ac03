"""The journal's files: JSON (complete), CSV in Fatebook's export layout, and Markdown.

Pure parsing, validation and formatting, standard library only; the transfer service reads and
writes the database. Every check on an import happens here, before anything is written, and
each error names where it is: the field path in JSON (``theories[3].tags[1]``) or the line in
CSV. ``docs/IMPORT_EXPORT.md`` describes the formats.

- :mod:`.records`: what a file holds, the limits, the errors, and helpers all formats share;
- :mod:`.json_read` and :mod:`.json_write`: the complete, versioned JSON export;
- :mod:`.parts`: one member's part of a club's file;
- :mod:`.csv_format`: Fatebook's CSV layout, both ways;
- :mod:`.markdown`: a list to paste into a forum post.
"""

from etoile_app.domain.transfer.csv_format import (
    CSV_COLUMNS,
    CsvFile,
    CsvForecast,
    CsvQuestion,
    fatebook_tag,
    format_csv,
    parse_csv,
)
from etoile_app.domain.transfer.json_read import parse_json
from etoile_app.domain.transfer.json_write import dump_json
from etoile_app.domain.transfer.markdown import escape_markdown, format_markdown
from etoile_app.domain.transfer.parts import Part, choose_member, own_part, solo_part
from etoile_app.domain.transfer.records import (
    FORMAT,
    FORMAT_VERSION,
    MAX_IMPORT_BYTES,
    MEMBERS_VERSION,
    OPTIONS_VERSION,
    USER_FACT_PREFIX,
    Catalogue,
    DreamCastEntry,
    EvidenceEntry,
    ExportFileError,
    ExportReport,
    ForecastEntry,
    ImportFileError,
    ImportReport,
    JournalFile,
    KnownFact,
    MemberEntry,
    OptionEntry,
    TheoryEntry,
    UserFactEntry,
    guess_format,
)

__all__ = [
    "CSV_COLUMNS",
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_IMPORT_BYTES",
    "MEMBERS_VERSION",
    "OPTIONS_VERSION",
    "USER_FACT_PREFIX",
    "Catalogue",
    "CsvFile",
    "CsvForecast",
    "CsvQuestion",
    "DreamCastEntry",
    "EvidenceEntry",
    "ExportFileError",
    "ExportReport",
    "ForecastEntry",
    "ImportFileError",
    "ImportReport",
    "JournalFile",
    "KnownFact",
    "MemberEntry",
    "OptionEntry",
    "Part",
    "TheoryEntry",
    "UserFactEntry",
    "choose_member",
    "dump_json",
    "escape_markdown",
    "fatebook_tag",
    "format_csv",
    "format_markdown",
    "guess_format",
    "own_part",
    "parse_csv",
    "parse_json",
    "solo_part",
]
