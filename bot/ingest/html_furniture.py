"""HTML page furniture: what the reader leaves out of a page's text.

Navigation, sidebars, headers and footers, forms and scripts; the class names the common site generators give
their furniture (Sphinx, MkDocs, Docusaurus, DocBook, AsciiDoc, MediaWiki, Texinfo); "edit this page" links and permalinks;
and the page's own contents, as a list or as loose lines of links to places on the same page (an FAQ's list of its
questions, which its sections say in full). Footnotes are text, though docutils and Sphinx write them as asides.
"""

from __future__ import annotations

import re

HEADINGS = {f"h{i}": i for i in range(1, 7)}
_CONTAINERS = frozenset(("ul", "ol", "menu", "dir", "div"))
_DROP_TAGS = frozenset(
    "script style noscript template nav header footer aside form button select input textarea svg iframe object embed map head".split()
)
#: Class or id tokens of page furniture in the common site generators (Sphinx, MkDocs, Docusaurus, DocBook, AsciiDoc, MediaWiki,
#: Texinfo: its node links "Next: …, Up: … [Contents][Index]" in div.header or div.nav-panel, its menus in ul.section-toc;
#: Publican: "Prev / Home / Next" in ul.docnav).
_DROP_TOKENS = frozenset(
    "sphinxsidebar sphinxsidebarwrapper related headerlink toc toctree-wrapper contents localtoc navigation navbar nav "
    "breadcrumb breadcrumbs footer sidebar skip skip-link menu search searchbox prev-next rst-footer-buttons wy-nav-side "
    "wy-breadcrumbs md-sidebar md-header md-footer md-nav md-source-file theme-doc-sidebar-container pagination-nav "
    "theme-edit-this-page edit-this-page editpage mw-editsection noprint printfooter catlinks mw-jump-link navheader "
    "navfooter footnotes-sep copyright feedback cookie-banner section-toc mini-toc nav-panel header docnav".split()
)
_INLINE = frozenset("a span b strong em i img br code small sup sub abbr".split())
_NOTES = frozenset("footnote footnote-list citation citation-list".split())
#: A page's footnotes gathered at its end (DocBook's and Publican's div.footnotes, pandoc's section.footnotes).
ENDNOTES = "footnotes"
_EDIT_LINK = re.compile(
    r"^(edit (this page|on github|on gitlab|source)|view (page )?source|improve this (page|doc)|suggest an edit)$", re.I
)


def tokens(el) -> set[str]:
    return set((el.get("class") or "").split()) | {el.get("id") or ""}


def dropped(el) -> bool:
    if not isinstance(el.tag, str):
        return True
    if el.tag in _DROP_TAGS:  # a header inside an article is the article's own (Docusaurus puts its h1 there)
        if el.tag == "aside" and tokens(el) & _NOTES:
            return False  # docutils' and Sphinx's footnotes are asides too: what the text says in small print
        return not (el.tag == "header" and any(a.tag in ("article", "main") for a in el.iterancestors()))
    if el.tag == "a" and _EDIT_LINK.match(" ".join((el.text_content() or "").split())):
        return True
    if (
        el.get("hidden") is not None
        or el.get("aria-hidden") == "true"
        or el.get("role") in ("navigation", "banner", "contentinfo", "search")
    ):
        return True
    hit = tokens(el) & _DROP_TOKENS
    if hit == {"header"} and next(el.iter(*HEADINGS), None) is not None:  # a box holding the page's title is the page's own
        hit = set()
    return bool(hit) or (el.tag in _CONTAINERS and _table_of_contents(el)) or (el.tag in ("p", "div") and _link_bar(el))


def _table_of_contents(el) -> bool:
    """A list (or a box of lines) of three or more items that are each one link to a place on the same page: the
    page's own contents (an FAQ's list of its questions), which the sections below say in full."""
    items = [li for li in el if isinstance(li.tag, str)]
    if len(items) < 3:
        return False
    for li in items:
        links = [a for a in li.iter("a") if (a.get("href") or "").startswith("#")]
        if len(links) != 1 or " ".join(li.text_content().split()) != " ".join(links[0].text_content().split()):
            return False
    return True


def _link_bar(el) -> bool:
    """A line of four or more short links and nothing else but brackets and separators ("[ previous ] [ Contents ]
    [ 1 ] [ 2 ] … [ next ]", "Home | Download | About"): a page's navigation, whatever its class."""
    if any(isinstance(d.tag, str) and d.tag not in _INLINE for d in el.iterdescendants()):
        return False
    links = [a for a in el.iter("a") if a.get("href") and a.text_content().strip()]
    if len(links) < 4 or any(len(a.text_content().split()) > 3 for a in links):
        return False
    rest = el.text_content()
    for a in links:
        rest = rest.replace(a.text_content(), " ", 1)
    return not re.sub(r"[\s\[\]|·•()/,.:;<>«»\-–—]+", "", rest)


def drop_contents_lines(root) -> None:
    """Remove the page's own contents when it is loose lines, not a list: three or more links to places on the same
    page, one a line (``<a href="#G1">G1. What is fetchmail …?</a><br/>``), with nothing else on those lines. Like a
    list of such links (``_table_of_contents``) it repeats the questions the sections below say in full; the headings
    of what held only such lines ("Contents", "Detailed Contents" and its parts) go with them."""
    import lxml.etree

    marks = []
    for el in list(root.iter()):
        run: list = []
        for child in [*el, None]:
            plain = child is not None and not (child.tail or "").strip()
            if plain and child.tag == "a" and (child.get("href") or "").startswith("#") and child.text_content().strip():
                run.append(child)
                continue
            if plain and child.tag == "br" and run:
                run.append(child)
                continue
            if sum(c.tag == "a" for c in run) >= 3:
                mark = lxml.etree.Element("x-contents")
                run[0].addprevious(mark)
                marks.append(mark)
                for c in run:
                    el.remove(c)
            run = []
    for parent in {m.getparent() for m in marks}:
        siblings = [c for c in parent if isinstance(c.tag, str)]
        for i in reversed(range(len(siblings))):
            h = siblings[i]
            if h.tag not in HEADINGS or h.getparent() is None:
                continue
            section = []
            for sib in siblings[i + 1 :]:
                if sib.tag in HEADINGS and HEADINGS[sib.tag] <= HEADINGS[h.tag]:
                    break
                section.append(sib)
            emptied = any(c.tag == "x-contents" for c in section)
            if emptied and all(c.tag in ("x-contents", "br", "hr") or c.getparent() is None for c in section):
                parent.remove(h)
    for mark in marks:
        if mark.getparent() is not None:
            mark.getparent().remove(mark)
