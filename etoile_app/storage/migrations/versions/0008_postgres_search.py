"""PostgreSQL's own full-text search over theories

On PostgreSQL, ``theories.search_vector`` is a stored generated ``tsvector`` over the title
(weight A), the tags and characters (B) and the body (D), which the database keeps current on
every insert and update, with a GIN index for ``@@``. It plays the part of SQLite's FTS5 table
``theory_fts`` (migration 0001): words are split where FTS5's ``unicode61`` tokenizer splits
them (every character but letters and digits is a break, so ``romance/jack-gael`` is three
words), accents are folded (``unaccent``) and the ``simple`` configuration lowercases without
stemming or stop words, so a search for ``genev`` finds "Geneviève" as it does on SQLite.

Two functions go with it, both IMMUTABLE (a generated column may use nothing else) and
schema-qualified inside, so they work whatever the caller's ``search_path``:

- ``etoile_unaccent(text)``: ``unaccent`` with its dictionary named (the one-argument form is
  only STABLE, because it looks the dictionary up on the search path);
- ``etoile_search_text(text)``: the text accent-folded, with every separator (ASCII and Latin-1
  punctuation and symbols, Unicode's general punctuation, currency, arrows, mathematical and
  technical symbols, box drawing, dingbats, CJK and full-width punctuation, emoji) made a
  space, independent of the server's locale. Searches fold the typed words through it too.

On SQLite this migration does nothing.

Revision ID: 0008_postgres_search
Revises: 0007_versions_and_title_key
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008_postgres_search"
down_revision: str | Sequence[str] | None = "0007_versions_and_title_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The characters that separate words (ranges of code points, as regular-expression escapes):
#: every one of them is outside Unicode's letter, number and private-use categories, which
#: are what FTS5's ``unicode61`` tokenizer keeps in words.
SEPARATORS = (
    r"\x01-\x2F\x3A-\x40\x5B-\x60\x7B-\xA9\xAB-\xB1\xB4\xB6-\xB8\xBB\xBF\xD7\xF7"
    r"\u02C2-\u02C5\u02D2-\u02DF\u02E5-\u02EB\u02ED\u02EF-\u02FF\u037E\u0387"
    r"\u2000-\u206F\u20A0-\u20CF\u2190-\u245F\u2500-\u2775\u2794-\u2BFF\u2E00-\u2E2E\u2E30-\u2E7F"
    r"\u3000-\u3004\u3008-\u3020\u3030\u303D-\u303F\uFE10-\uFE1F\uFE30-\uFE4F\uFE50-\uFE6F"
    r"\uFF01-\uFF0F\uFF1A-\uFF20\uFF3B-\uFF40\uFF5B-\uFF65\uFFF0-\uFFFD"
    r"\U0001F000-\U0001F0FF\U0001F10D-\U0001FAFF"
)

#: The column's parts and their weights (A counts most in ``ts_rank``).
WEIGHTED_COLUMNS = (("title", "A"), ("tags_text", "B"), ("characters_text", "B"), ("body", "D"))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    # unaccent may already be installed in another schema than the journal's: name both.
    extension = bind.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'unaccent'"
    ).scalar_one()
    here = _quoted(bind.exec_driver_sql("SELECT current_schema()").scalar_one())
    dictionary = f"{_quoted(extension)}.unaccent"
    dictionary_literal = dictionary.replace("'", "''")
    op.execute(
        f"""CREATE FUNCTION {here}.etoile_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT {dictionary}('{dictionary_literal}'::regdictionary, $1) $$"""
    )
    separators = SEPARATORS.replace("\\", "\\\\")
    op.execute(
        f"""CREATE FUNCTION {here}.etoile_search_text(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT regexp_replace({here}.etoile_unaccent($1), E'[{separators}]+', ' ', 'g') $$"""
    )
    vector = " || ".join(
        f"setweight(to_tsvector('simple'::regconfig, {here}.etoile_search_text(coalesce({name}, ''))), '{w}')"
        for name, w in WEIGHTED_COLUMNS
    )
    op.execute(
        f"ALTER TABLE theories ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({vector}) STORED"
    )
    op.execute("CREATE INDEX ix_theories_search_vector ON theories USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_theories_search_vector")
    op.execute("ALTER TABLE theories DROP COLUMN IF EXISTS search_vector")
    op.execute("DROP FUNCTION IF EXISTS etoile_search_text(text)")
    op.execute("DROP FUNCTION IF EXISTS etoile_unaccent(text)")
    # The unaccent extension stays: other schemas or databases' functions may use it.
