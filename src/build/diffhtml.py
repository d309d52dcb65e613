"""Revision diffs, part 3: the diff as a standalone HTML5 page.

:func:`diff_html` writes the document (HTML5, ``<ins>`` and ``<del>`` with visually hidden
"inserted:"/"deleted:" labels, WCAG 2.1 technique H88-style text alternatives, and a visible
legend), with a summary table per section (:func:`build.diffcounts.summary_rows`) and links to
every changed place. Pure: values in, text out.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence

from build.diffalign import SPACE, BlockDiff, DocumentDiff, SentenceDiff, opener_spaces
from build.diffcounts import Counts, summary_rows
from build.difftokens import Token, plain_text
from build.revisions import CHECKS_AS_WARNINGS, RevisionInfo

# =========================================================================== HTML


LABELS = {"insert": "inserted: ", "delete": "deleted: "}


def _ops_html(ops: Sequence[tuple[str, Sequence[Token]]]) -> str:
    """Ops as HTML; words changed right after an opening bracket carry the space after them
    (:func:`build.diffalign.opener_spaces`, as in the Word file): "(<ins>Garver, </ins>2016)"
    reads "(2016)" without the insertion, "(Garver, 2016)" with it."""
    out: list[str] = []
    first = True
    previous, ended = "", False
    for op, tokens in opener_spaces(ops):
        if not tokens:
            continue
        # a replacement reads "<del>old</del> <ins>new</ins>": a space between the two (unless
        # the deletion ends with its own space)
        spaced = tokens[0].space or (previous == "delete" and not ended)
        space = " " if spaced and not first else ""
        previous, ended = op, tokens[-1] is SPACE
        body = "".join((" " if t.space and i else "") + t.html for i, t in enumerate(tokens))
        if op == "equal":
            out.append(space + body)
        else:
            tag = "ins" if op == "insert" else "del"
            out.append(f'{space}<{tag}><span class="vh">{LABELS[op]}</span>{body}</{tag}>')
        first = False
    return "".join(out)


def sentence_html(s: SentenceDiff) -> str:
    """A sentence as HTML: ``<ins>``/``<del>`` with hidden labels; moved ones with a visible
    note naming the other place (linked both ways by ``#move-N-from``/``#move-N-to``), the
    edits made in a moved sentence marked inside it."""
    return _moved_html(s.status, s.move, s.where, _ops_html(s.ops))


def _moved_html(status: str, move: int, where: str, inner: str) -> str:
    """``inner`` in the marks of a move's old place (``moved-from``) or new place
    (``moved-to``), with the link to the other place; other statuses: ``inner`` as it is."""
    if status == "moved-from":
        return (
            f'<del class="moved" id="move-{move}-from"><span class="vh">moved away: </span>'
            f"{inner}</del>"
            f' <a class="move-note" href="#move-{move}-to">[moved to {html.escape(where)}]</a>'
        )
    if status == "moved-to":
        return (
            f'<ins class="moved" id="move-{move}-to"><span class="vh">moved here: </span>'
            f"{inner}</ins>"
            f' <a class="move-note" href="#move-{move}-from">'
            f"[moved from {html.escape(where)}]</a>"
        )
    return inner


def _sentences_html(sentences: Sequence[SentenceDiff]) -> str:
    return " ".join(sentence_html(s) for s in sentences)


_BLOCK_LABELS = {
    "added": "Added",
    "removed": "Removed",
    "changed": "Changed",
    "moved-from": "Moved",
    "moved-to": "Moved",
}


def _plain_html(sentences: Sequence[SentenceDiff]) -> str:
    """Sentences shown without marks (inside a table or figure added or removed whole)."""
    return " ".join(_ops_html([("equal", toks) for _, toks in s.ops]) for s in sentences)


def _whole_block(block: BlockDiff, what: str, inner: str) -> str:
    """A table or figure added or removed as a whole: one ``<ins>``/``<del>`` around it."""
    tag = "ins" if block.status == "added" else "del"
    label = "inserted" if block.status == "added" else "deleted"
    return f'<{tag} class="block"><span class="vh">{label} {what}: </span>{inner}</{tag}>'


def _table_html(block: BlockDiff) -> str:
    b = block.block
    whole = block.status in ("added", "removed")
    caption = _plain_html(block.caption) if whole else _sentences_html(block.caption)
    status = f' <span class="block-label">({block.status})</span>' if block.status != "same" else ""
    parts = [f'<div class="table-wrap {block.status}"><table>']
    parts.append(f"<caption>{caption}{status}</caption>")
    header = (
        b.header_rows
        if block.status in ("added", "removed") or block.new is None
        else (block.new.header_rows)
    )
    for i, (row_status, cells) in enumerate(block.rows):
        cell_tag = "th" if i < header else "td"
        scope = ' scope="col"' if cell_tag == "th" else ""
        row_class = f' class="row-{row_status}"' if row_status != "same" else ""
        label = ""
        if row_status in ("added", "removed") and not whole:
            label = f'<span class="vh">row {row_status}: </span>'
        cells_html = []
        for k, cell in enumerate(cells):
            cls = f' class="cell-{cell.status}"' if cell.status != "same" and not whole else ""
            text = _plain_html([cell]) if whole else sentence_html(cell)
            cells_html.append(
                f"<{cell_tag}{scope}{cls}>{label if k == 0 else ''}{text}</{cell_tag}>"
            )
        row_class = row_class if not whole else ""
        parts.append(f"<tr{row_class}>{''.join(cells_html)}</tr>")
    parts.append("</table></div>")
    return _whole_block(block, "table", "".join(parts)) if whole else "".join(parts)


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _figure_html(block: BlockDiff, labels: tuple[str, str]) -> str:
    caption = _sentences_html(block.caption)
    if block.image_changed and block.old is not None and block.new is not None:
        sides = []
        for which, fig, label in (("old", block.old, labels[0]), ("new", block.new, labels[1])):
            sides.append(
                f'<figure class="side {which}"><img src="{_data_uri(fig.image, fig.mime)}"'
                f' alt="{html.escape(fig.alt)}"><figcaption>{html.escape(label)}</figcaption>'
                "</figure>"
            )
        return (
            f'<figure class="figure changed"><div class="side-by-side">{"".join(sides)}</div>'
            f'<figcaption>{caption} <span class="block-label">(picture changed: old left, '
            "new right)</span></figcaption></figure>"
        )
    b = block.block
    whole = block.status in ("added", "removed")
    if whole:
        caption = _plain_html(block.caption)
    status = f' <span class="block-label">({block.status})</span>' if block.status != "same" else ""
    figure = (
        f'<figure class="figure {block.status}"><img src="{_data_uri(b.image, b.mime)}"'
        f' alt="{html.escape(b.alt)}"><figcaption>{caption}{status}</figcaption></figure>'
    )
    return _whole_block(block, "figure", figure) if whole else figure


def _prose_html(block: BlockDiff) -> str:
    b = block.block
    body = _moved_html(block.status, block.move, block.where, _sentences_html(block.sentences))
    label = ""
    if block.status in ("added", "removed"):
        label = f'<span class="block-label">{_BLOCK_LABELS[block.status]} paragraph:</span> '
    cls = f' class="{block.status}"' if block.status != "same" else ""
    if b.tag in ("li", "oli"):
        return f"<li{cls}>{body}</li>"
    if b.tag.startswith("h") and b.tag[1:].isdigit():
        return f"<{b.tag}{cls}>{body}</{b.tag}>"
    if b.tag == "title":
        return f'<p class="article-title">{body}</p>'
    if b.tag == "keywords":
        return f'<p class="keywords"><span class="keywords-label">Keywords:</span> {body}</p>'
    if b.tag == "pre":
        return f"<pre{cls}>{body}</pre>"
    if b.tag == "blockquote":
        return f"<blockquote{cls}><p>{label}{body}</p></blockquote>"
    if b.tag == "ref":
        entry_label = ""
        if block.status != "same":
            entry_label = f'<span class="block-label">{_BLOCK_LABELS[block.status]} entry:</span> '
        return f'<p class="ref-entry{" " + block.status if cls else ""}">{entry_label}{body}</p>'
    if b.tag == "note":
        return body
    return f"<p{cls}>{label}{body}</p>"


def _anchor(markup: str, block: BlockDiff, changes: list[str] | None) -> str:
    """Give a changed block's first element the id ``change-N`` (N counts in ``changes``)."""
    if changes is None or block.status == "same":
        return markup
    changes.append(f"change-{len(changes) + 1}")
    return re.sub(r"^<(\w+)", lambda m: f'<{m.group(1)} id="{changes[-1]}"', markup, count=1)


def _blocks_html(
    blocks: Sequence[BlockDiff], labels: tuple[str, str], changes: list[str] | None = None
) -> str:
    out: list[str] = []
    open_list: tuple[str, int] | None = None
    for block in blocks:
        b = block.block
        if b.kind == "prose" and b.tag in ("li", "oli"):
            wanted = ("ul" if b.tag == "li" else "ol", b.group)
            if open_list != wanted:
                if open_list:
                    out.append(f"</{open_list[0]}>")
                out.append(f"<{wanted[0]}>")
                open_list = wanted
        elif open_list:
            out.append(f"</{open_list[0]}>")
            open_list = None
        if b.kind == "table":
            out.append(_anchor(_table_html(block), block, changes))
        elif b.kind == "figure":
            out.append(_anchor(_figure_html(block, labels), block, changes))
        else:
            out.append(_anchor(_prose_html(block), block, changes))
    if open_list:
        out.append(f"</{open_list[0]}>")
    return "\n".join(out)


def _notes_html(notes: Sequence[BlockDiff], changes: list[str] | None = None) -> str:
    if not notes:
        return ""
    items = []
    for note in notes:
        cls = f' class="{note.status}"' if note.status != "same" else ""
        label = ""
        if note.status in ("added", "removed"):
            label = f'<span class="block-label">{_BLOCK_LABELS[note.status]} note:</span> '
        number = f' value="{note.block.group}"' if note.block.group else ""
        item = f"<li{number}{cls}>{label}{_sentences_html(note.sentences)}</li>"
        items.append(_anchor(item, note, changes))
    return f'<aside class="notes"><p class="notes-title">Notes</p><ol>{"".join(items)}</ol></aside>'


def _jump_html(changes: Sequence[str]) -> str:
    """Links to every changed block, in reading order."""
    if not changes:
        return ""
    links = " ".join(f'<a href="#{c}">{i}</a>' for i, c in enumerate(changes, 1))
    return f'<nav class="jump" aria-label="Changed places"><p>Go to a change: {links}</p></nav>'


def _summary_html(rows: Sequence[Counts]) -> str:
    head = (
        '<tr><th scope="col" rowspan="2">Section</th>'
        '<th scope="colgroup" colspan="4">Sentences</th>'
        '<th scope="colgroup" colspan="2">Words</th>'
        '<th scope="col" rowspan="2">Tables, figures</th></tr>'
        '<tr><th scope="col">added</th><th scope="col">removed</th><th scope="col">changed</th>'
        '<th scope="col">moved</th><th scope="col">added</th><th scope="col">removed</th></tr>'
    )
    body = []
    totals = [0] * 8
    for row in rows:
        values = [
            row.sentences_added,
            row.sentences_removed,
            row.sentences_changed,
            row.sentences_moved,
            row.words_added,
            row.words_removed,
            row.tables + row.figures,
        ]
        for i, v in enumerate(values):
            totals[i] += v
        extra = []
        if row.tables:
            extra.append(f"{row.tables} table{'s' * (row.tables != 1)}")
        if row.figures:
            pictures = f" ({row.images} picture{'s' * (row.images != 1)})" if row.images else ""
            extra.append(f"{row.figures} figure{'s' * (row.figures != 1)}{pictures}")
        cells = "".join(f"<td>{v}</td>" for v in values[:6])
        other = ", ".join(extra) or "0"
        cls = ' class="unchanged"' if not row.total and not row.words_added else ""
        body.append(
            f'<tr{cls}><th scope="row"><a href="#diff-{html.escape(row.ident)}">'
            f"{html.escape(row.section)}</a></th>{cells}<td>{other}</td></tr>"
        )
    foot = "".join(f"<td>{v}</td>" for v in totals[:7])
    return (
        '<table class="summary"><caption>Changes per section (in the reference list, sentences'
        " are entries)</caption>"
        f"<thead>{head}</thead><tbody>{''.join(body)}</tbody>"
        f'<tfoot><tr><th scope="row">Total</th>{foot}</tr></tfoot></table>'
    )


LEGEND = (
    '<section class="legend" aria-labelledby="legend-title">'
    '<h2 id="legend-title">How to read the marks</h2><ul>'
    '<li><ins><span class="vh">inserted: </span>inserted text</ins>: added in the new revision'
    " (underlined, green)</li>"
    '<li><del><span class="vh">deleted: </span>deleted text</del>: removed from the old revision'
    " (struck through, red)</li>"
    '<li><ins class="moved"><span class="vh">moved here: </span>moved sentence</ins>'
    ' <span class="move-note">[moved from …]</span> and <del class="moved"><span class="vh">'
    'moved away: </span>moved sentence</del> <span class="move-note">[moved to …]</span>: a'
    " sentence or paragraph that moved (blue, dashed), the edits made in it marked inside;"
    " the note links the other place</li>"
    "<li>Citations and the reference list are compared as they print (after citeproc): a"
    " changed page locator is marked within its citation, a citation of another source as a"
    " changed citation.</li>"
    "<li>A changed figure shows the old picture on the left and the new one on the right.</li>"
    "</ul></section>"
)


def diff_html(
    diff: DocumentDiff,
    old: RevisionInfo,
    new: RevisionInfo,
    css: str,
    borrowed: Sequence[str] = (),
    checks: Sequence[str] | None = None,
    folder: str = ".",
) -> str:
    """The tracked-changes document as a standalone HTML5 page (CSS inline, pictures as
    ``data:`` URLs, so the one file is the whole document).

    Args:
        diff: the diff (:func:`diff_documents`).
        old, new: the two revisions, for the header.
        css: the stylesheet text (``styles/diff/diff.css``).
        borrowed: notes on files a revision lacked and took from the other one.
        checks: one line per revision on its build's warnings; the header then says that both
            were built with the checks reporting as warnings (``None``: nothing said).
        folder: the article's folder (``articles/<slug>`` is named in the header; ``"."``,
            the root article, is not).

    Returns:
        the HTML text. With no change, the page says "No changes" and has no article body.
    """
    title_section = next((s for s in diff.sections if s.ident == "front-matter"), None)
    title_text = ""
    if title_section:
        for block in title_section.blocks:
            if block.block.tag == "title":
                title_text = plain_text(
                    t for s in block.sentences for op, toks in s.ops if op != "delete" for t in toks
                )
    revisions = (
        f'<p class="revisions">From <code>{html.escape(old.short)}</code> '
        f"({html.escape(old.date)}, “{html.escape(old.subject)}”) to "
        f"<code>{html.escape(new.short)}</code> ({html.escape(new.date)}, "
        f"“{html.escape(new.subject)}”).</p>"
    )
    if folder != ".":
        revisions = (
            f'<p class="article-folder">The article of <code>{html.escape(folder)}/</code>.</p>'
            + revisions
        )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in borrowed)
    borrowed_html = (
        '<div class="borrowed"><p>Files a revision lacked (or had only for an earlier'
        f" pipeline), taken from elsewhere:</p><ul>{notes}</ul></div>"
        if notes
        else ""
    )
    checks_html = ""
    if checks is not None:
        items = "".join(f"<li>{html.escape(c)}</li>" for c in checks)
        checks_html = (
            '<div class="checks"><p>Both revisions were built with this pipeline, its checks'
            " reporting as warnings instead of failing (<code>--config"
            f" {' '.join(CHECKS_AS_WARNINGS)}</code>: an old revision may predate today's"
            f" rules; the safety checks stay errors):</p><ul>{items}</ul></div>"
        )
    # the page's own words are English; the article's text is in its language (WCAG 3.1.2)
    lang_attr = f' lang="{html.escape(new.lang)}"' if new.lang else ""
    page_title = f"Tracked changes {old.short} to {new.short}"
    if title_text:
        page_title += f": {title_text}"
    if not diff.changed:
        body = (
            f'<main><p class="no-changes" role="status">No changes: the article is the same at '
            f"<code>{html.escape(old.short)}</code> and <code>{html.escape(new.short)}</code>."
            "</p></main>"
        )
        summary = ""
    else:
        labels = (f"Old ({old.short})", f"New ({new.short})")
        changes: list[str] = []
        parts = []
        for section in diff.sections:
            heading = sentence_html(section.title) if section.title.ops else "Title and abstract"
            label = ""
            if section.status in ("added", "removed"):
                label = f' <span class="block-label">(section {section.status})</span>'
            hid = f"diff-{section.ident}"
            parts.append(
                f'<section class="article-section {section.status}" aria-labelledby="{hid}">'
                f'<h2 id="{hid}">{heading}{label}</h2>\n'
                f"{_blocks_html(section.blocks, labels, changes)}\n"
                f"{_notes_html(section.notes, changes)}</section>"
            )
        body = f"<main{lang_attr}>" + "\n".join(parts) + "</main>"
        summary = (
            '<section class="summary-section" aria-labelledby="summary-title">'
            '<h2 id="summary-title">Summary</h2>'
            f"{_summary_html(summary_rows(diff))}{_jump_html(changes)}</section>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(page_title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n"
        f'<header class="diff-header"><p class="kicker">Tracked changes</p>'
        f"<h1{lang_attr if title_text else ''}>{html.escape(title_text or 'The article')}</h1>"
        f"{revisions}{checks_html}"
        f"{borrowed_html}"
        f"</header>\n{LEGEND}\n{summary}\n{body}\n</body>\n</html>\n"
    )
