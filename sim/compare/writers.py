"""The comparison report's writers: a self-contained HTML page and its Markdown twin.

The HTML embeds every figure as base64 so it can be mailed or archived as one file; the Markdown
links the same PNGs in ``figures/``. Both render the same ``Report``.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path

from sim.compare import analysis
from sim.compare.analysis import CaseResult
from sim.compare.figures import Figure
from sim.compare.policies import PolicyPackage
from sim.compare.tables import Table


def slug(text: str) -> str:
    """A name fit for an HTML id or a file name."""
    return "".join(ch if ch.isalnum() else "_" for ch in text).strip("_").lower()


@dataclass
class Report:
    """Everything both writers need."""

    title: str
    intro: str
    readings: list[tuple[str, str]]
    packages: list[PolicyPackage]
    cases: list[tuple[CaseResult, list[Table], list[Figure]]]
    inputs: list[tuple[str, str]]
    notes: list[str]


def _html_table(t: Table) -> str:
    """A table as HTML, every cell escaped."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in t.header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in t.rows)
    note = f'<p class="note">{html.escape(t.note)}</p>' if t.note else ""
    return f"<h4>{html.escape(t.title)}</h4><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}"


def _md_table(t: Table) -> str:
    """A table as Markdown; a ``|`` inside a cell is escaped so it does not split the cell."""

    def cell(s: str) -> str:
        return s.replace("|", "\\|")

    lines = [f"#### {t.title}", "", "| " + " | ".join(cell(h) for h in t.header) + " |", "|" + "---|" * len(t.header)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in t.rows]
    if t.note:
        lines += ["", f"*{t.note}*"]
    return "\n".join(lines)


CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0;font-size:.88em}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}
th:first-child,td:first-child{text-align:left}thead th{background:#f2f2f2}.note{font-size:.85em;color:#555}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}figcaption{font-size:.85em;color:#555}
table.packages td,table.packages th{text-align:left;vertical-align:top}
.reading{background:#f7f7f2;border-left:4px solid #999933;padding:.6em 1em;margin:.8em 0}code{font-size:.9em}
dl.inputs dt{font-weight:600;margin-top:.4em}dl.inputs dd{margin-left:1.5em;font-family:monospace;font-size:.85em;white-space:pre-wrap}
"""


def write_html(rep: Report, path: Path) -> None:
    """One self-contained file: figures inline as base64 PNG, no external resources."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(rep.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(rep.title)}</h1>",
        f"<p>{html.escape(rep.intro)}</p>",
        "<h2>What the results say</h2>",
    ]
    for name, text in rep.readings:
        out.append(f'<div class="reading" id="reading-{slug(name)}"><p>{html.escape(text)}</p></div>')
    out.append(
        "<h2>Policy packages</h2><table class='packages'><thead><tr><th>name</th><th>levers</th><th>description</th><th>source</th></tr></thead><tbody>"
    )
    for p in rep.packages:
        lev = ", ".join(f"{k} = {analysis.lever_value(v)}" for k, v in p.levers.items()) or "(the case's own values)"
        out.append(
            f"<tr><td>{html.escape(p.name)}</td><td>{html.escape(lev)}</td><td>{html.escape(p.description)}</td>"
            f"<td>{html.escape(p.source)}</td></tr>"
        )
    out.append("</tbody></table>")
    for res, tables, figures in rep.cases:
        out.append(f'<h2 id="case-{slug(res.case)}">{html.escape(res.name)}</h2>')
        for t in tables:
            out.append(_html_table(t))
        for f in figures:
            data = base64.b64encode(f.path.read_bytes()).decode("ascii")
            out.append(
                f'<figure><img alt="{html.escape(f.title)}: {html.escape(res.name)}" src="data:image/png;base64,{data}">'
                f"<figcaption><b>{html.escape(f.title)}.</b> {html.escape(f.caption)}</figcaption></figure>"
            )
    out.append("<h2>Method notes</h2><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in rep.notes) + "</ul>")
    out.append('<h2>Inputs (to reproduce)</h2><dl class="inputs">')
    for k, v in rep.inputs:
        out.append(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>")
    out.append("</dl></body></html>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def write_markdown(rep: Report, path: Path) -> None:
    """The same report in Markdown; figures are linked relative to the file."""
    lines = [f"# {rep.title}", "", rep.intro, "", "## What the results say", ""]
    for _, text in rep.readings:
        lines += [text, ""]
    lines += ["## Policy packages", "", "| name | levers | description | source |", "|---|---|---|---|"]
    for p in rep.packages:
        lev = ", ".join(f"{k} = {analysis.lever_value(v)}" for k, v in p.levers.items()) or "(the case's own values)"
        lines.append(f"| {p.name} | {lev} | {p.description} | {p.source} |".replace("\n", " "))
    lines.append("")
    for res, tables, figures in rep.cases:
        lines += [f"## {res.name}", ""]
        for t in tables:
            lines += [_md_table(t), ""]
        for f in figures:
            rel = f.path.relative_to(path.parent).as_posix()
            lines += [f"![{f.title}: {res.name}]({rel})", "", f"*{f.title}.* {f.caption}", ""]
    lines += ["## Method notes", ""] + [f"- {n}" for n in rep.notes] + ["", "## Inputs (to reproduce)", ""]
    for k, v in rep.inputs:
        if "\n" in v:
            lines += [f"**{k}**", "", "```", v, "```", ""]
        else:
            lines += [f"- **{k}**: `{v}`"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
