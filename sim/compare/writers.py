"""The comparison report's writers: a self-contained HTML page and its Markdown twin.

The HTML embeds every figure as base64 so it can be mailed or archived as one file, and prints on
A4 (page breaks before sections, figures sized to the page); the Markdown links the same PNGs in
``figures/``. Both render the same ``Report``: a first page that decides (verdict, league tables,
cost-effectiveness plane), then sections, a glossary, method notes and the reproducibility inputs,
the only place where config keys appear.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path

from sim.compare.figures import Figure
from sim.compare.tables import Table

INPUTS_ID = "reproducibility"


def slug(text: str) -> str:
    """A name fit for an HTML id or a file name."""
    return "".join(ch if ch.isalnum() else "_" for ch in text).strip("_").lower()


@dataclass
class Section:
    """A titled part of the report: paragraphs, then tables, then figures."""

    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    css: str = ""  # a class for the paragraphs (verdict, reading)


@dataclass
class Report:
    """Everything both writers need."""

    title: str
    intro: str
    verdict: list[str]
    front_tables: list[Table]
    front_figures: list[Figure]
    sections: list[Section]
    glossary: dict[str, str]
    inputs: list[tuple[str, str]]
    notes: list[str]


def _html_table(t: Table, css: str = "") -> str:
    """A table as HTML, every cell escaped, inside a wrapper that scrolls on its own on a narrow screen."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in t.header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in t.rows)
    note = f'<p class="note">{html.escape(t.note)}</p>' if t.note else ""
    cls = f' class="{css}"' if css else ""
    return (
        f'<div class="tablebox"><h4>{html.escape(t.title)}</h4><div class="tw"><table{cls}><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>{note}</div>"
    )


def _html_figure(f: Figure) -> str:
    data = base64.b64encode(f.path.read_bytes()).decode("ascii")
    return (
        f'<figure><img alt="{html.escape(f.title)}" src="data:image/png;base64,{data}">'
        f"<figcaption><b>{html.escape(f.title)}.</b> {html.escape(f.caption)}</figcaption></figure>"
    )


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
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45;overflow-wrap:break-word}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
.tw{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;margin:.5em 0;font-size:.88em}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}
th:first-child,td:first-child{text-align:left}thead th{background:#f2f2f2}.note{font-size:.85em;color:#555}
table.league td:nth-child(2),table.league td:last-child,table.text td,table.text th{text-align:left}
table.text td{vertical-align:top}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}figcaption{font-size:.85em;color:#555}
.verdict{background:#eef4f7;border-left:5px solid #33658a;padding:.5em 1em;margin:.6em 0;font-size:1.02em}
.reading{background:#f7f7f2;border-left:4px solid #999933;padding:.6em 1em;margin:.8em 0}code{font-size:.9em}
dl.glossary dt{font-weight:600;margin-top:.3em}dl.glossary dd{margin-left:1.5em}
dl.inputs dt{font-weight:600;margin-top:.4em}dl.inputs dd{margin-left:1.5em;font-family:monospace;font-size:.85em;white-space:pre-wrap;overflow-wrap:anywhere}
@media (max-width:600px){body{margin:.5em auto;padding:0 .5em}table{font-size:.72em}th,td{padding:.15em .25em}h1{font-size:1.3em}}
@page{size:A4;margin:14mm 12mm}
@media print{
 body{max-width:none;margin:0;padding:0;font-size:9.5pt;line-height:1.3}
 .verdict{font-size:9pt;padding:.15em .7em;margin:.3em 0}.verdict p{margin:.3em 0}
 #decision>.note{display:none}h4{margin:.5em 0 .2em}.note{margin:.2em 0}
 h1{font-size:15pt;margin:0 0 .3em}h2{break-before:page;margin-top:0}
 #decision h2{break-before:avoid}
 .tablebox,figure,.verdict,.reading,tr{break-inside:avoid}
 .tw{overflow:visible}table{font-size:7.5pt;width:100%;margin:.2em 0}th,td{padding:.1em .3em}
 figure img{max-height:230mm;width:auto;max-width:100%;display:block}
 #decision figure img{max-height:120mm}
}
"""


def write_html(rep: Report, path: Path) -> None:
    """One self-contained file: figures inline as base64 PNG, no external resources."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(rep.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(rep.title)}</h1>",
        '<section id="decision"><h2>The decision in brief</h2>',
        f'<p class="note">{html.escape(rep.intro)}</p>',
    ]
    out += [f'<div class="verdict"><p>{html.escape(v)}</p></div>' for v in rep.verdict]
    out += [_html_table(t, "league") for t in rep.front_tables]
    out += [_html_figure(f) for f in rep.front_figures]
    out.append("</section>")
    for s in rep.sections:
        out.append(f'<section id="{s.id}"><h2>{html.escape(s.title)}</h2>')
        cls = f' class="{s.css}"' if s.css else ""
        out += [f"<div{cls}><p>{html.escape(p)}</p></div>" for p in s.paragraphs]
        out += [_html_table(t, "text" if t.text else "") for t in s.tables]
        out += [_html_figure(f) for f in s.figures]
        out.append("</section>")
    out.append('<section id="glossary"><h2>Glossary</h2><dl class="glossary">')
    out += [f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rep.glossary.items()]
    out.append("</dl></section>")
    out.append(
        '<section id="method"><h2>Method notes</h2><ul>' + "".join(f"<li>{html.escape(n)}</li>" for n in rep.notes) + "</ul></section>"
    )
    out.append(f'<section id="{INPUTS_ID}"><h2>Reproducibility: inputs and config keys</h2><dl class="inputs">')
    out += [f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rep.inputs]
    out.append("</dl></section></body></html>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def write_markdown(rep: Report, path: Path) -> None:
    """The same report in Markdown; figures are linked relative to the file."""

    def figure(f: Figure) -> list[str]:
        rel = f.path.relative_to(path.parent).as_posix()
        return [f"![{f.title}]({rel})", "", f"*{f.title}.* {f.caption}", ""]

    lines = [f"# {rep.title}", "", "## The decision in brief", "", f"*{rep.intro}*", ""]
    for v in rep.verdict:
        lines += [f"> {v}", ""]
    for t in rep.front_tables:
        lines += [_md_table(t), ""]
    for f in rep.front_figures:
        lines += figure(f)
    for s in rep.sections:
        lines += [f"## {s.title}", ""]
        for p in s.paragraphs:
            lines += [p, ""]
        for t in s.tables:
            lines += [_md_table(t), ""]
        for f in s.figures:
            lines += figure(f)
    lines += ["## Glossary", ""] + [f"- **{k}**: {v}" for k, v in rep.glossary.items()]
    lines += ["", "## Method notes", ""] + [f"- {n}" for n in rep.notes] + ["", "## Reproducibility: inputs and config keys", ""]
    for k, v in rep.inputs:
        if "\n" in v:
            lines += [f"**{k}**", "", "```", v, "```", ""]
        else:
            lines += [f"- **{k}**: `{v}`"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
