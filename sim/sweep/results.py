"""A sweep's results opened in DuckDB: views over the verified Parquet batches, the annual view of
the time series, and the read-only, confined connection ``symbiosis query`` uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.config import ConfigError
from sim.sweep import store

READ_STATEMENTS = ("SELECT", "EXPLAIN", "PRAGMA", "CALL")


def _lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _files_sql(paths: list[Path]) -> str:
    return "[" + ", ".join(_lit(str(p)) for p in paths) + "]"


def _check_files(directory: Path, files: dict[int, Path], manifest: dict[str, Any]) -> list[str]:
    """Each batch file's footer is readable and it holds its batch's rows (cheap: footers only)."""
    import pyarrow.parquet as pq

    problems = []
    for batch, path in files.items():
        try:
            rows = pq.read_metadata(path).num_rows
        except Exception as exc:  # pyarrow raises several kinds for a damaged file
            problems.append(
                f"{path}: unreadable Parquet ({str(exc).splitlines()[0][:100]}) "
                f"(allowed: a complete batch; symbiosis sweep --resume --out {directory} computes it again)"
            )
            continue
        if path.parent.name == store.RUNS and rows != store.batch_rows(manifest, batch):
            problems.append(
                f"{path}: holds {rows} rows, not the batch's {store.batch_rows(manifest, batch)} "
                f"(allowed: a complete batch; symbiosis sweep --resume --out {directory} computes it again)"
            )
    return problems


def connect(directory: Path, read_only: bool = False) -> Any:
    """A DuckDB connection with views ``runs``, ``design`` and (if kept) ``timeseries``.

    The views name exactly the sweep's batch files (a stray Parquet file is an error, not a silent
    extra table), after checking each one's footer and row count. With ``read_only`` the database
    is opened read-only, DuckDB may read only the sweep directory and write no file, and only
    read statements run (see :func:`check_read_only`); the settings are locked against the query.
    """
    import duckdb

    if not (directory / store.MANIFEST).is_file():
        raise ConfigError([f"{directory}: not a sweep directory, no {store.MANIFEST} (allowed: the --out of symbiosis sweep)"])
    manifest = store.read_manifest(directory)
    runs = store.batch_files(directory, store.RUNS)
    ts = store.batch_files(directory, store.TIMESERIES)
    if not runs:
        raise ConfigError([f"{directory}/{store.RUNS}: no finished batches yet (allowed: a sweep with at least one batch written)"])
    problems = _check_files(directory, runs, manifest) + _check_files(directory, ts, manifest)
    if problems:
        raise ConfigError(problems)
    root = directory.resolve()
    views = [
        f"CREATE VIEW runs AS SELECT * FROM read_parquet({_files_sql([p.resolve() for p in runs.values()])})",
        f"CREATE VIEW design AS SELECT * FROM read_parquet({_lit(str(root / store.DESIGN))})",
    ]
    if ts:
        views.append(f"CREATE VIEW timeseries AS SELECT * FROM read_parquet({_files_sql([p.resolve() for p in ts.values()])})")
    ts_spec = (manifest["spec"].get("outcomes") or {}).get("timeseries") or {}
    if not read_only:
        con = duckdb.connect()
        _create_views(con, views, ts_spec if ts else None)
        return con
    import tempfile

    with tempfile.TemporaryDirectory(prefix="symbiosis-query-") as tmp:
        db = str(Path(tmp) / "views.duckdb")
        with duckdb.connect(db) as setup:
            _create_views(setup, views, ts_spec if ts else None)
        con = duckdb.connect(db, read_only=True)
    con.execute("SET allowed_directories = [?]", [str(root) + "/"])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def _create_views(con: Any, views: list[str], ts_spec: dict[str, Any] | None) -> None:
    for v in views:
        con.execute(v)
    if ts_spec is not None and (sql := annual_view_sql(con, ts_spec)):
        con.execute(sql)


def annual_view_sql(con: Any, ts_spec: dict[str, Any]) -> str | None:
    """``timeseries_annual``: per run and complete year, flows summed over the year (``<col>_per_year``)
    and stocks at the year's last kept month; only when the kept period divides a year."""
    from sim import outputs

    every = int(ts_spec.get("every") or 0)
    if not every or 12 % every:
        return None
    cols = list(con.execute("SELECT * FROM timeseries LIMIT 0").df().columns)
    sel = []
    for c in cols:
        ref = outputs.TIMESERIES.get(c)
        if ref is None or ref.kind == outputs.INDEX:
            continue
        if ref.kind == outputs.FLOW:
            w = outputs.window_name(c, every)
            if w in cols:
                sel.append(f"sum({_q(w)}) AS {_q(c + '_per_year')}")
        else:
            sel.append(f"arg_max({_q(c)}, step) AS {_q(c)}")
    return (
        "CREATE VIEW timeseries_annual AS SELECT run_id, year, "
        + ", ".join(sel)
        + f" FROM timeseries GROUP BY run_id, year HAVING count(*) = {12 // every}"
    )


def check_read_only(con: Any, sql: str) -> list[str]:
    """Problems if ``sql`` holds a statement other than a read (SELECT, EXPLAIN, PRAGMA, CALL).

    DuckDB's read-only mode still lets COPY write files in an allowed directory, so a read-only
    query refuses every statement that is not a read before running any of it.
    """
    problems = []
    for i, stmt in enumerate(con.extract_statements(sql), start=1):
        kind = stmt.type.name
        if kind not in READ_STATEMENTS:
            problems.append(
                f"SQL statement {i}: {kind} is not allowed on read-only results "
                f"(allowed: {', '.join(READ_STATEMENTS)}; --unrestricted lifts this)"
            )
    return problems


def _q(name: str) -> str:
    """A SQL identifier, quoted (a column named by the user may hold any character)."""
    return '"' + name.replace('"', '""') + '"'
