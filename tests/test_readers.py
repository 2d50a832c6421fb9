"""The readers (bot.ingest.html, markdown, plaintext, pdf): headings kept, code kept whole, navigation dropped,
no section lost, no code taken for a heading. Fixtures follow each generator's real markup; the last tests read the
real documentation sets in eval/docsets/ and check that every section of them reaches the passages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ingest.chunking import chunk_documents
from bot.ingest.corpus import load_corpus, read_document
from bot.text import for_matching

from .test_corpus import make_pdf

ROOT = Path(__file__).resolve().parent.parent
DOCSETS = sorted(p for p in (ROOT / "eval" / "docsets").iterdir() if (p / "corpus").is_dir())
HTML_DOCSETS = [d for d in DOCSETS if any((d / "corpus").rglob("*.html"))]
MARKDOWN_DOCSETS = [d for d in DOCSETS if any((d / "corpus").rglob("*.md"))]

# Each page: the generator's own page furniture (navigation, sidebar, permalinks, footer) around two sections,
# one of them short and last, one holding code.
SPHINX = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Project FAQ &#8212; Demo documentation</title></head>
<body><div class="related" role="navigation"><ul><li><a href="index.html">Demo docs</a> &#187;</li></ul></div>
<div class="document"><div class="documentwrapper"><div class="bodywrapper"><div class="body" role="main">
<section id="faq"><h1>Project FAQ<a class="headerlink" href="#faq" title="Permalink to this heading">¶</a></h1>
<p>Answers to common questions about the demo project and its build.</p>
<section id="how-do-i"><h2>How do I rebuild the docs?<a class="headerlink" href="#how-do-i">¶</a></h2>
<p>Run the builder again from the project folder:</p>
<div class="highlight-console notranslate"><div class="highlight"><pre><span></span><span class="gp">$ </span>make clean
<span class="gp">$ </span>make html
</pre></div></div>
<dl><dt>… with warnings as errors?</dt><dd><p>Pass the strict flag so that every warning fails the build.</p></dd></dl>
</section>
<section id="last"><h2>Where are the logs?<a class="headerlink" href="#last">¶</a></h2>
<p>In the build folder.</p></section></section>
</div></div></div>
<div class="sphinxsidebar" role="navigation"><h3>Navigation</h3><ul><li><a href="install.html">Installing the demo</a></li></ul>
<div id="searchbox"><h3>Quick search</h3><form><input type="text" name="q"></form></div></div></div>
<div class="footer">&#169; Copyright 2024, Demo. Created using Sphinx.</div></body></html>"""

DOCBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<html><head><title>Chapter 2. Networking</title><meta name="generator" content="DocBook XSL Stylesheets"/></head>
<body><div class="navheader"><table width="100%" summary="Navigation header"><tr><th colspan="3">Chapter 2. Networking</th></tr>
<tr><td><a accesskey="p" href="ch01.html">Prev</a></td><td><a accesskey="n" href="ch03.html">Next</a></td></tr></table></div>
<div class="chapter"><div class="titlepage"><div><div><h1 class="title"><a id="_networking"></a>Chapter 2. Networking</h1></div></div></div>
<div class="toc"><p><b>Table of Contents</b></p><dl class="toc"><dt><span class="section"><a href="#_addr">2.1. Addresses</a></span></dt></dl></div>
<p>This chapter explains how the demo host reaches the network.</p>
<div class="section"><div class="titlepage"><div><div><h2 class="title"><a id="_addr"></a>2.1. Addresses</h2></div></div></div>
<p>List the addresses of every interface with this command.</p><pre class="screen">$ ip addr show
1: lo: &lt;LOOPBACK,UP&gt; mtu 65536</pre>
<div class="table"><p class="title"><b>Table 2.1. Private address ranges</b></p><div class="table-contents"><table class="table" summary="ranges">
<thead><tr><th>class</th><th>range</th></tr></thead><tbody><tr><td>A</td><td>10.0.0.0 - 10.255.255.255</td></tr>
<tr><td>B</td><td>172.16.0.0 - 172.31.255.255</td></tr></tbody></table></div></div>
<div class="tip"><table border="0" summary="Tip"><tr><td rowspan="2"><img alt="[Tip]" src="tip.png"/></td><th align="left">Tip</th></tr>
<tr><td align="left"><p>Use the short form ip a when typing by hand.</p></td></tr></table></div></div>
<div class="section"><div class="titlepage"><div><div><h2 class="title"><a id="_dns"></a>2.2. Names</h2></div></div></div>
<p>Host names resolve through the resolver library.</p></div></div>
<div class="navfooter"><table summary="Navigation footer"><tr><td><a href="ch01.html">Prev</a></td><td><a href="index.html">Home</a></td></tr></table></div>
</body></html>"""

ASCIIDOC = """<!DOCTYPE html><html><head><meta name="generator" content="AsciiDoc 10.2.0"><title>demofaq(7)</title></head>
<body class="manpage"><div id="header"><h1>demofaq(7) Manual Page</h1><h2>NAME</h2><div class="sectionbody"><p>demofaq - questions</p></div></div>
<div id="content"><div class="sect1"><h2 id="_configuration">Configuration</h2><div class="sectionbody">
<div class="dlist"><dl><dt class="hdlist1">What should I put in user.name?</dt><dd><p>Your personal name, as people know it.</p></dd>
<dt class="hdlist1">How do I configure an editor?</dt><dd><p>Set the variable in your shell profile:</p>
<div class="listingblock"><div class="content"><pre><code>export VISUAL=nano</code></pre></div></div></dd></dl></div></div></div>
<div class="sect1"><h2 id="_end">Common Issues</h2><div class="sectionbody"><div class="paragraph"><p>Most issues come from stale caches.</p></div></div></div></div>
<div id="footnotes"><hr></div><div id="footer"><div id="footer-text">Last updated 2024-01-01</div></div></body></html>"""

MKDOCS = """<!doctype html><html><head><title>Usage - Demo</title><meta name="author" content="Ada Lovelace"></head><body>
<header class="md-header"><nav class="md-header__inner">Demo</nav></header>
<div class="md-container"><nav class="md-nav md-sidebar"><ul><li>Home</li><li>Usage</li></ul></nav>
<main class="md-main"><article class="md-content__inner md-typeset">
<a href="edit/usage.md" title="Edit this page" class="md-content__button md-icon">Edit this page</a>
<h1 id="usage">Usage<a class="headerlink" href="#usage">¶</a></h1><p>Install the tool, then run it on a folder.</p>
<h2 id="options">Options<a class="headerlink" href="#options">¶</a></h2><ul><li>The verbose flag prints every step.</li><li>The quiet flag prints nothing.</li></ul>
<p><strong>Does it work offline?</strong></p><p>Yes, nothing is downloaded.</p>
</article></main></div><footer class="md-footer">Made with Material for MkDocs</footer></body></html>"""

DOCUSAURUS = """<!doctype html><html><head><title>Intro | Demo</title><meta property="og:site_name" content="Demo Site">
<meta property="article:published_time" content="2024-03-05T10:00:00Z"></head><body>
<nav class="navbar"><a class="navbar__brand">Demo</a></nav><div class="main-wrapper"><aside class="theme-doc-sidebar-container"><ul><li>Intro</li></ul></aside>
<main><div class="container"><article><div class="theme-doc-markdown markdown"><header><h1>Intro</h1></header>
<p>The demo turns notes into a site.</p><h2 id="install">Install<a class="hash-link" href="#install" aria-hidden="true">#</a></h2>
<pre class="prism-code"><code>npm install demo</code></pre><h3 id="upgrade">Upgrade</h3><p>Run the same command again.</p></div>
<a class="theme-edit-this-page" href="https://example.org/edit">Edit this page</a></article>
<nav class="pagination-nav"><a>Next</a></nav></div></main></div><footer class="footer">Copyright 2024</footer></body></html>"""

MEDIAWIKI = """<!DOCTYPE html><html><head><title>Demo tool - Wiki</title></head><body>
<div id="mw-navigation"><div id="mw-panel" class="vector-menu">Main page</div></div>
<div id="content" class="mw-body"><h1 id="firstHeading" class="firstHeading">Demo tool</h1>
<div id="bodyContent"><div id="mw-content-text"><div class="mw-parser-output">
<div id="toc" class="toc"><ul><li><a href="#History">1 History</a></li></ul></div>
<p>The demo tool formats notes.</p><h2><span class="mw-headline" id="History">History</span><span class="mw-editsection">[<a href="?action=edit">edit</a>]</span></h2>
<p>It was first released in 2001.</p><h2><span class="mw-headline" id="Use">Use</span><span class="mw-editsection">[edit]</span></h2><p>Run it from a shell.</p>
</div></div><div id="catlinks" class="catlinks">Categories: Tools</div></div></div><div id="footer">Privacy policy</div></body></html>"""

BOLD_FAQ = """<!DOCTYPE html><html><head><title>Demo FAQ</title></head><body><div class=nosearch>Small. Fast.</div>
<h2>Frequently Asked Questions</h2><ol><li value='1'><a href="#q1">How do I create a counter field?</a></li>
<li value='2'><a href="#q2">Which types are there?</a></li><li value='3'><a href="#q3">Strings go into integer columns!</a></li></ol>
<a name="q1"></a><p><b>(1) How do I create a counter field?</b></p><blockquote>Declare it INTEGER PRIMARY KEY.</blockquote></li>
<a name="q2"></a><p><b>(2) Which types are there?</b></p><blockquote>Five storage classes.</blockquote></li>
<a name="q3"></a><p><b>(3) It lets me insert a string into an integer column!</b></p>
<blockquote><p>This is a feature, not a bug.</p><pre>CREATE TABLE t(x INTEGER);
INSERT INTO t VALUES('text');</pre></blockquote>
<p align="center"><small><i>This page last modified on <a href="x">2017-02-02 23:55:23</a> UTC </small></i></p></body></html>"""

PAGES = {
    "sphinx.html": (
        SPHINX,
        ["How do I rebuild the docs?", "… with warnings as errors?", "Where are the logs?"],
        ["make clean\n$ make html"],
    ),
    "docbook.html": (DOCBOOK, ["2.1. Addresses", "2.2. Names"], ["$ ip addr show"]),
    "asciidoc.html": (
        ASCIIDOC,
        ["Configuration", "What should I put in user.name?", "How do I configure an editor?", "Common Issues"],
        ["export VISUAL=nano"],
    ),
    "mkdocs.html": (MKDOCS, ["Options", "Does it work offline?"], []),
    "docusaurus.html": (DOCUSAURUS, ["Install", "Upgrade"], ["npm install demo"]),
    "mediawiki.html": (MEDIAWIKI, ["History", "Use"], []),
    "boldfaq.html": (
        BOLD_FAQ,
        ["(1) How do I create a counter field?", "(2) Which types are there?", "(3) It lets me insert a string into an integer column!"],
        ["CREATE TABLE t(x INTEGER);\nINSERT INTO t"],
    ),
}
FURNITURE = [
    "Quick search",
    "Installing the demo",
    "Copyright",
    "Prev",
    "Next",
    "Table of Contents",
    "Edit this page",
    "Made with",
    "Main page",
    "Categories",
    "Privacy",
    "¶",
    "[edit]",
]


def read(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    doc, _ = read_document(path, name)
    return doc, chunk_documents([doc])


@pytest.mark.parametrize("name", sorted(PAGES))
def test_html_headings_kept_navigation_dropped_code_whole(tmp_path, name):
    html, headings, code = PAGES[name]
    doc, passages = read(tmp_path, name, html)
    found = [doc.text[b.start : b.end] for b in doc.blocks if b.kind == "heading"]
    assert all(h in found for h in headings), found
    assert {p.heading for p in passages} | {p.parent for p in passages} >= set(headings)  # every section reaches the passages
    blocks = [doc.text[b.start : b.end] for b in doc.blocks if b.kind == "code"]
    for snippet in code:
        (block,) = [b for b in blocks if snippet in b]  # one block, lines and all
        (passage,) = [p for p in passages if snippet in p.text]
        assert any(doc.text[s:e] == block for s, e in passage.code)  # quoted whole, marked as code
    assert not any(h in b for h in found for b in blocks)  # no code line became a heading
    for furniture in FURNITURE:
        assert furniture not in doc.text, furniture


def test_an_faqs_bold_entries_are_sibling_sections_and_its_own_contents_list_is_dropped(tmp_path):
    """Entries styled as bold paragraphs ("(3) It lets me insert …!" too, numbered though not a question) are sections
    side by side under the page's heading, not each inside the one before; the list of links to them is left out."""
    doc, passages = read(tmp_path, "boldfaq.html", BOLD_FAQ)
    levels = {doc.text[b.start : b.end]: b.level for b in doc.blocks if b.kind == "heading"}
    assert levels["Frequently Asked Questions"] == 2
    assert [v for k, v in levels.items() if k.startswith("(")] == [3, 3, 3]
    assert not any("last modified" in p.text for p in passages)  # the page's date notice is not what it says
    assert {p.parent for p in passages if p.heading.startswith("(")} == {"Frequently Asked Questions"}
    assert "Strings go into integer columns!" not in doc.text  # the contents list, not an entry


LOOSE_CONTENTS = """<html><head><title>The Mail FAQ</title></head><body>
<h1 id="FAQ">Frequently Asked Questions About Mail</h1><p>Bug reports? Please read <a href="#G2">G2</a> first.</p>
<h1 id="Contents">Contents</h1>
<a href="#G1">G1. What is the mail tool and why should I bother?</a><br/>
<a href="#G2">G2. Something doesn't work. Will you fix it?</a><br/>
<a href="#G3">G3. Where do I find the sources?</a><br/>
<hr/>
<h2 id="G1">G1. What is the mail tool and why should I bother?</h2><p>It fetches mail from a remote server to your machine.</p>
<h2 id="G2">G2. Something doesn't work. Will you fix it?</h2><p>Bugs are fixed when you send the transcript of a run.</p>
<h2 id="G3">G3. Where do I find the sources?</h2><p>On the project's site, with its release notes.</p>
<h2 id="S2">S2. How can I use it with Exchange?</h2><p>Set these registry values:</p>
<dl><dt>0x00000001:</dt><dd>Report exact message sizes for the LIST command</dd>
<dt>0x00000002:</dt><dd>Allow whitespace between commands and arguments</dd></dl>
<p>Exchange may also answer a login with NO Ambiguous Alias: your user name maps to more than one mailbox.</p>
<h2 id="S3">S3. How can I use it with qpopper?</h2><dl><dt>Version 4</dt><dd>Works as it is.</dd></dl>
</body></html>"""


def test_an_faqs_contents_as_loose_lines_is_dropped_and_a_list_inside_an_answer_leaves_it_its_section(tmp_path):
    """An FAQ's own contents written as lines of links to its questions (no list around them) is left out like a
    contents list, and a link inside a sentence stays; a definition list that an answer goes on after labels its
    values ("0x00000001: Report …"), so the rest of the answer stays under its question, not under "0x00000002:"."""
    doc, passages = read(tmp_path, "mailfaq.html", LOOSE_CONTENTS)
    assert doc.text.count("Where do I find the sources?") == 1  # the heading, not the contents line too
    assert "Please read G2 first." in doc.text
    headings = [doc.text[b.start : b.end] for b in doc.blocks if b.kind == "heading"]
    assert not any(h.startswith("0x") for h in headings) and "Version 4" in headings  # a list ending its section: terms
    assert "0x00000001: Report exact message sizes for the LIST command" in doc.text
    (alias,) = [p for p in passages if "Ambiguous Alias" in p.text]
    assert alias.heading == "S2. How can I use it with Exchange?"


TEXINFO = """<html><head><title>Shell Manual</title><meta name="Generator" content="makeinfo"></head><body>
<div class="chapter" id="Introduction"><div class="header"><p>Next: <a href="#Definitions" accesskey="n" rel="next">Definitions</a>,
Up: <a href="#Top" accesskey="u" rel="up">Top</a> &nbsp; [<a href="#SEC_Contents" rel="contents">Contents</a>][<a href="#Indexes">Index</a>]</p>
</div><h2 class="chapter">1 Introduction</h2><ul class="section-toc"><li><a href="#What-is-it">What is the shell?</a></li>
<li><a href="#Why">Why use it?</a></li></ul><hr>
<div class="section" id="What-is-it"><div class="header"><p>Next: <a href="#Why" accesskey="n" rel="next">Why use it?</a>,
Up: <a href="#Introduction" accesskey="u" rel="up">Introduction</a></p></div>
<h3 class="section">1.1 What is the shell?</h3><p>The shell is a macro processor that executes commands.</p></div>
<div class="section" id="Why"><div class="nav-panel"><p>Previous: <a href="#What-is-it" rel="prev">What is the shell?</a></p></div>
<h3 class="section">1.2 Why use it?</h3><p>It runs the same commands from a file as from the keyboard.</p></div></div></body></html>"""


def test_texinfo_node_links_and_menus_are_left_out(tmp_path):
    """GNU manuals (makeinfo's HTML) put "Next: …, Up: … [Contents][Index]" before every node (div.header, or
    div.nav-panel in Texinfo 7) and a menu of its sub-nodes after a chapter's title (ul.section-toc)."""
    doc, passages = read(tmp_path, "shell.html", TEXINFO)
    assert "Next:" not in doc.text and "Previous:" not in doc.text and "[Contents]" not in doc.text
    assert doc.text.count("Why use it?") == 1  # the heading, not the menu item too
    assert {"1.1 What is the shell?", "1.2 Why use it?"} <= {p.heading for p in passages}


LINK_BARS = """<html><head><title>The FAQ - Basics</title></head><body>
<p><a href="index.html">[ previous ]</a> <a href="index.html#contents">[ Contents ]</a> <a href="ch-basic.html">[ 1 ]</a>
<a href="ch-get.html">[ 2 ]</a> <a href="ch-get.html">[ next ]</a></p><hr><h1>The FAQ<br>Chapter 1 - Basics</h1>
<h2><a name="s-what"></a>1.1 What is the tool?</h2><p>It is a set of <a href="x.html">utilities</a> for mail.</p>
<p>See <a href="a.html">one</a>, <a href="b.html">two</a>, <a href="c.html">three</a> and <a href="d.html">four</a> for more.</p>
<hr><p><a href="index.html">Home</a> | <a href="dl.html">Download</a> | <a href="faq.html">FAQ</a> | <a href="about.html">About us</a></p>
</body></html>"""


def test_a_line_of_short_links_and_nothing_else_is_navigation(tmp_path):
    """Old DocBook tools (debiandoc) put "[ previous ] [ Contents ] [ 1 ] [ 2 ] … [ next ]" above and below every page,
    as a plain paragraph of links; hand-made sites a "Home | Download | …" line. A sentence with links in it stays."""
    doc, passages = read(tmp_path, "ch-basic.html", LINK_BARS)
    assert "previous" not in doc.text and "Download" not in doc.text
    assert "See one, two, three and four for more." in doc.text and "utilities for mail" in doc.text


API_ENTRIES = """<html><head><title>paths</title></head><body><div class="body" role="main"><section id="paths"><h1>paths</h1>
<p>Functions on path names.</p>
<dl class="py function"><dt class="sig sig-object py" id="paths.join">paths.join(path, *paths)</dt>
<dd><p>Join one or more path segments intelligently.</p></dd></dl>
<dl class="py function"><dt class="sig sig-object py" id="paths.split">paths.split(path)</dt>
<dd><p>Split the path into a pair, head and tail.</p></dd></dl></section></div></body></html>"""


def test_a_run_of_entries_each_in_its_own_definition_list_is_a_run_of_sections(tmp_path):
    """Sphinx writes each function of an API in its own ``dl``: the next entry is no text of this one's section, so
    each signature still heads its entry (a list the section goes on after is labels: the test above)."""
    doc, passages = read(tmp_path, "paths.html", API_ENTRIES)
    headings = {p.heading for p in passages}
    assert {"paths.join(path, *paths)", "paths.split(path)"} <= headings, headings


BACKLINKED = """<html><head><title>Tool FAQ</title></head><body><div class="document" id="tool-faq"><h1 class="title">Tool FAQ</h1>
<div class="contents topic" id="contents"><p class="topic-title">Contents</p><ul class="auto-toc simple">
<li><a class="reference internal" href="#what-is-it" id="toc-entry-1">1   What is the tool?</a></li>
<li><a class="reference internal" href="#why-the-name" id="toc-entry-2">2   Why is it called that?</a></li></ul></div>
<div class="section" id="what-is-it"><h1><a class="toc-backref" href="#toc-entry-1">1   What is the tool?</a></h1>
<p>A set of utilities for turning plain text into documents.</p></div>
<div class="section" id="why-the-name"><h1><a class="toc-backref" href="#toc-entry-2">2   Why is it called that?</a></h1>
<p>Because it is a set of documentation utilities.</p></div></div></body></html>"""


def test_a_heading_that_links_back_to_the_contents_keeps_its_text(tmp_path):
    """Docutils and Sphinx pages with a contents box wrap each heading's text in a link back to it
    (``<h1><a class="toc-backref" …>1 What is the tool?</a></h1>``): the box goes, the heading stays."""
    doc, passages = read(tmp_path, "faq.html", BACKLINKED)
    assert {p.heading for p in passages} >= {"1 What is the tool?", "2 Why is it called that?"}
    assert doc.text.count("Why is it called that?") == 1


HEADER_BOX = """<html><head><title>Install</title></head><body><div class="header"><h1>Installing the tool</h1>
<p>Version 2.1 needs Python 3.9 or later.</p></div><div class="header"><a href="/">Home</a> <a href="/blog">Blog</a></div>
<p>Run the installer from a terminal.</p></body></html>"""


def test_a_header_box_holding_the_pages_title_is_the_page_s_own(tmp_path):
    """A box classed "header" is the site's banner unless it holds a heading: then it is the page's title block,
    also when the heading is plain text with no markup inside it."""
    doc, passages = read(tmp_path, "install.html", HEADER_BOX)
    assert "Version 2.1 needs Python 3.9 or later." in doc.text
    assert doc.title == "Installing the tool" and "Run the installer" in passages[0].text
    assert "Blog" not in doc.text


FOOTNOTED = """<html><head><title>MIME types</title></head><body><div class="body" role="main"><section id="mime">
<h1>MIME types</h1><p>The standard MIME type is text/x-rst.<a class="footnote-reference brackets" href="#id2">1</a></p>
<aside class="footnote-list brackets"><aside class="footnote brackets" id="id2" role="doc-footnote"><span class="label">1</span>
<p>The x- prefix means it is an unregistered MIME type.</p></aside></aside>
<aside><p>Subscribe to our newsletter for weekly tips.</p></aside></section></div></body></html>"""


def test_footnotes_are_text_and_a_pages_aside_is_not(tmp_path):
    """Docutils and Sphinx write footnotes as ``<aside class="footnote">``: what they say is the document's; an aside
    of the page around it (a box, a call to subscribe) stays out."""
    doc, _ = read(tmp_path, "mime.html", FOOTNOTED)
    assert "The x- prefix means it is an unregistered MIME type." in doc.text
    assert "newsletter" not in doc.text


PUBLICAN = """<html><head><title>Chapter 12. FAQ</title></head><body><ul class="docnav top"><li class="previous"><a href="ch11.html">
<strong>Prev</strong></a></li><li class="home">Securing Manual</li><li class="next"><a href="ch13.html"><strong>Next</strong></a></li></ul>
<div class="chapter"><div class="titlepage"><h1 class="title">Chapter 12. FAQ</h1></div>
<div class="section"><h2 class="title">12.1. Can I remove inetd?</h2><div class="para">Not easily, since netbase depends on it.
<a href="#ftn.1"><sup>[1]</sup></a></div></div>
<div class="section"><h2 class="title">12.2. Why is port 111 open?</h2><div class="para">It is the portmapper.</div></div>
<div class="footnotes"><br /><hr /><div id="ftn.1" class="footnote"><div class="para"><a href="#1"><sup>[1]</sup></a>
Check with apt-cache rdepends first.</div></div></div></div>
<ul class="docnav"><li class="previous"><a href="ch11.html"><strong>Prev</strong>11. Logs</a></li><li class="home">
<a href="index.html"><strong>Home</strong></a></li></ul></body></html>"""


def test_docbook_footnotes_are_their_own_section_and_publicans_page_links_are_left_out(tmp_path):
    """DocBook (and Publican, built on it) gathers a page's footnotes in div.footnotes at its end: they are the
    page's, not the last question's answer. Publican puts "Prev / Home / Next" in ul.docnav, top and bottom."""
    doc, passages = read(tmp_path, "ch12.html", PUBLICAN)
    assert "Prev" not in doc.text and "Home" not in doc.text
    (last,) = [p for p in passages if "portmapper" in p.text]
    assert "apt-cache" not in last.text
    (note,) = [p for p in passages if "apt-cache rdepends" in p.text]
    assert note.heading == "Footnotes"


FIELD_LIST = """<!DOCTYPE html><html><head><title>Sorting HOW TO</title></head><body><div class="body" role="main">
<section id="sorting-how-to"><h1>Sorting HOW TO<a class="headerlink" href="#sorting-how-to">¶</a></h1>
<dl class="field-list simple"><dt class="field-odd">Author<span class="colon">:</span></dt><dd class="field-odd"><p>Andrew Dalke</p></dd>
<dt class="field-even">Release<span class="colon">:</span></dt><dd class="field-even"><p>0.1</p></dd></dl>
<p>Python lists have a built-in sort method that modifies the list in place.</p>
<section id="basics"><h2>Sorting Basics<a class="headerlink" href="#basics">¶</a></h2><p>Call the sorted function.</p></section>
</section></div></body></html>"""


def test_a_field_lists_names_label_their_values_and_are_no_sections(tmp_path):
    """docutils' field lists ("Author: …", "Parameters: …") are name and value: the text after them is still the page's."""
    doc, passages = read(tmp_path, "sorting.html", FIELD_LIST)
    headings = [doc.text[b.start : b.end] for b in doc.blocks if b.kind == "heading"]
    assert not any(h.startswith(("Author", "Release")) for h in headings), headings
    assert "Author: Andrew Dalke" in doc.text and "Release: 0.1" in doc.text
    (intro,) = [p for p in passages if "built-in sort method" in p.text]
    assert intro.heading in ("", "Sorting HOW TO")


def test_html_metadata_is_what_the_page_declares(tmp_path):
    doc, _ = read(tmp_path, "mkdocs.html", MKDOCS)
    assert (doc.title, doc.author, doc.date) == ("Usage", "Ada Lovelace", "")  # the page's h1; no date guessed
    doc, _ = read(tmp_path, "docusaurus.html", DOCUSAURUS)
    assert (doc.title, doc.publisher, doc.date) == ("Intro", "Demo Site", "2024-03-05")
    doc, _ = read(tmp_path, "mediawiki.html", MEDIAWIKI)
    assert doc.date == "" and "2001" in doc.text  # a year in the text is not the page's date
    doc, _ = read(tmp_path, "sphinx.html", SPHINX)
    assert doc.title == "Project FAQ"  # without its pilcrow


def test_html_table_rows_name_their_columns(tmp_path):
    doc, passages = read(tmp_path, "docbook.html", DOCBOOK)
    rows = [doc.text[b.start : b.end] for b in doc.blocks if b.kind == "row"]
    assert "class: B | range: 172.16.0.0 - 172.31.255.255" in rows
    assert "Tip: Use the short form ip a when typing by hand." in doc.text  # a layout table (an admonition) is read as text


def test_markdown_by_a_real_parser(tmp_path):
    source = (
        "---\ntitle: Notes\n---\nSetext Title\n============\n\nA paragraph wrapped\nover two lines.\n\n"
        "```sh\n# not a heading\nmake all\n```\n\n- first item\n- second item\n\n| col | val |\n| --- | --- |\n| a | 1 |\n\n## Last\n\nShort.\n"
    )
    doc, passages = read(tmp_path, "notes.md", source)
    kinds = [(b.kind, doc.text[b.start : b.end]) for b in doc.blocks]
    assert ("heading", "Setext Title") in kinds and ("heading", "Last") in kinds
    assert ("para", "A paragraph wrapped over two lines.") in kinds
    assert ("code", "# not a heading\nmake all") in kinds
    assert ("item", "• first item") in kinds and ("row", "a | 1") in kinds
    assert doc.title == "Notes" and "not a heading" not in {p.heading for p in passages}


def test_a_readme_s_badges_and_contents_are_not_its_text(tmp_path):
    """A README opens with build badges (linked images) and a list of links to its own sections: neither is text, and
    the badge's alt text ("Build Status") is no title. A list of links elsewhere, or of fewer than three, stays."""
    source = (
        "[![Build Status](https://ci.example.org/badge.svg)](https://ci.example.org) ![PyPI](https://pypi.example.org/v.svg)\n\n"
        "tool - fetch videos from many sites\n\n- [INSTALLATION](#installation)\n- [OPTIONS](#options)\n"
        "  - [Network](#network)\n- [FAQ](#faq)\n\n# INSTALLATION\n\nRun the installer once.\n\n# OPTIONS\n\nThere are many."
        "\n\n## Network\n\nUse a proxy.\n\n# FAQ\n\nSee also:\n\n- [the wiki](https://wiki.example.org)\n"
        "- [the forum](https://forum.example.org)\n- [the tracker](https://bugs.example.org)\n"
    )
    doc, passages = read(tmp_path, "README.md", source)
    text = "\n".join(p.text for p in passages)
    assert doc.title == "tool - fetch videos from many sites"
    assert "Build Status" not in doc.text and "PyPI" not in doc.text
    assert "• INSTALLATION" not in text and "• Network" not in text and "Run the installer once." in text
    assert "the wiki" in text and "the tracker" in text  # links elsewhere are what the page says


def test_markdown_inline_html_is_markup_its_words_stay(tmp_path):
    doc, _ = read(tmp_path, "x.md", "# Cloves <img src=x onerror=alert(1)> grow\n\nPicked <script>alert(2)</script> by <b>hand</b>.\n")
    assert "onerror" not in doc.text and "<b>" not in doc.text and "hand" in doc.text and doc.title == "Cloves grow"


def test_plain_text_joins_hard_wrapped_lines_and_never_takes_code_for_a_heading(tmp_path):
    wrapped = "word " * 14
    text = (
        "Install Guide\n=============\n\n"
        f"{wrapped.strip()}\nthe second line of the same paragraph goes on to its end here.\n\n"
        "3.1.2 Setting the locale\n"
        f"{wrapped.strip()}\nand a sentence that the line break must not cut in two.\n\n"
        "How do I start it?\n"
        f"{wrapped.strip()}\nby running the command below, which starts the service for you.\n\n"
        "    x = start(service);\n    print(x)\n\n"
        "Start(Service)\n"
        f"{wrapped.strip()}\nas the last paragraph of this text, long enough to wrap as the others do.\n"
    )
    doc, passages = read(tmp_path, "guide.txt", text)
    headings = [doc.text[b.start : b.end].strip() for b in doc.blocks if b.kind == "heading"]
    assert headings == ["Install Guide", "3.1.2 Setting the locale", "How do I start it?"]
    assert any(
        "the line break must not cut in two" in doc.text[b.start : b.end] and "Setting" not in doc.text[b.start : b.end]
        for b in doc.blocks
        if b.kind == "para"
    )
    assert [doc.text[b.start : b.end] for b in doc.blocks if b.kind == "code"] == ["    x = start(service);\n    print(x)"]
    for p in passages:
        for s, e in p.sentences:
            assert "\n" not in doc.text[s:e].strip() or (s, e) in p.code  # no sentence cut at a wrapped line end: joined


def test_pdf_lines_join_into_paragraphs_and_page_numbers_go(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "guide.pdf").write_bytes(
        make_pdf(
            ["Demo Guide", "The tool reads a folder of notes and", "builds a site from them in seconds.", "Short line.", "7"],
            title="Demo Guide",
        )
    )
    (doc,) = load_corpus(tmp_path / "c").documents
    paras = [doc.text[b.start : b.end] for b in doc.blocks if b.kind == "para"]
    assert any("The tool reads a folder of notes and builds a site from them in seconds." in p for p in paras)  # one line, not two
    assert "7" not in doc.text.split() and doc.title == "Demo Guide"


@pytest.mark.parametrize("docset", HTML_DOCSETS, ids=[d.name for d in HTML_DOCSETS])
def test_every_section_of_a_real_documentation_set_reaches_the_index(docset):
    """Each heading of each page's main content (as lxml finds h1-h6 there, outside navigation) heads a passage,
    and each page keeps at least 95% of its visible words."""
    import lxml.html

    from bot.ingest.html import _main_content
    from bot.ingest.html_furniture import drop_contents_lines, dropped
    from bot.ingest.report import reports

    load = load_corpus(docset / "corpus")
    passages = chunk_documents(load.documents)
    assert len(load.documents) == len(list((docset / "corpus").rglob("*.html")))
    for doc in load.documents:
        root = lxml.html.document_fromstring((docset / "corpus" / doc.doc_id).read_bytes())
        drop_contents_lines(root.find("body"))  # an FAQ's contents as lines of links, with the headings over them
        main = _main_content(root, root.find("body"))
        expected = set()
        for h in main.iter("h1", "h2", "h3", "h4", "h5", "h6"):
            if any(dropped(a) for a in (h, *h.iterancestors())):
                continue
            if any(
                set((a.get("class") or "").split()) & {"note", "tip", "warning", "caution", "important", "admonition"}
                for a in h.iterancestors()
            ):
                continue  # an admonition's label, read as "Tip: …"
            text = for_matching(" ".join(t for t in h.itertext()).replace("¶", ""))
            if text and text != for_matching(doc.title):
                expected.add(text)
        headed = {for_matching(p.heading) for p in passages if p.doc_id == doc.doc_id} | {
            for_matching(p.parent) for p in passages if p.doc_id == doc.doc_id
        }
        assert expected - headed == set(), doc.doc_id
    for r in reports(load.documents, passages):
        assert r.kept >= 0.95, r.line()


@pytest.mark.parametrize("docset", MARKDOWN_DOCSETS, ids=[d.name for d in MARKDOWN_DOCSETS])
def test_every_section_of_a_real_markdown_documentation_set_reaches_the_index(docset):
    """Each heading CommonMark finds (markdown-it-py; a "#" line in a fenced block is code) heads a passage or the
    sections under it, and each file keeps at least 95% of its visible words."""
    from markdown_it import MarkdownIt

    from bot.ingest.report import reports

    load = load_corpus(docset / "corpus")
    passages = chunk_documents(load.documents)
    assert load.documents and len(load.documents) == len(list((docset / "corpus").rglob("*.md")))
    for doc in load.documents:
        tokens = MarkdownIt("commonmark").parse((docset / "corpus" / doc.doc_id).read_text(encoding="utf-8"))
        expected = {
            for_matching("".join(c.content for c in tokens[i + 1].children if c.type in ("text", "code_inline")))
            for i, t in enumerate(tokens)
            if t.type == "heading_open"
        } - {for_matching(doc.title), ""}
        headed = {for_matching(p.heading) for p in passages if p.doc_id == doc.doc_id} | {
            for_matching(p.parent) for p in passages if p.doc_id == doc.doc_id
        }
        assert expected - headed == set(), doc.doc_id
    for r in reports(load.documents, passages):
        assert r.kept >= 0.95, r.line()


def test_a_long_code_block_is_cut_at_line_ends_and_every_piece_stays_code(tmp_path):
    code = "\n".join(f"    step_{i} = run(task_{i}, retries=3, timeout=30)  # one two three" for i in range(60))
    doc, passages = read(tmp_path, "long.md", f"# Build\n\nRun these:\n\n```\n{code.strip()}\n```\n")
    pieces = [(s, e) for p in passages for s, e in p.sentences if "step_" in doc.text[s:e]]
    assert len(pieces) > 1 and all(sp in p.code for p in passages for sp in p.sentences if sp in pieces)
    assert all(doc.text[s:e].split("\n")[0].lstrip().startswith("step_") for s, e in pieces)  # cut at line ends


def test_what_a_page_says_twice_for_a_reason_is_kept(tmp_path):
    """A list item in two lists (an option two themes take), a short label said again (a code block's caption, "New in
    version 3.1.") and a command with a shell redirection are text; a repeated paragraph, a trail of links and a
    list item that is one ("Other ways to access Gmail > POP") are not."""
    teaser = "Everything you need to know about the two themes below, in one short and friendly page."
    html = (
        "<html><head><title>Themes</title></head><body><p>Home &gt; Docs &gt; Themes</p>"
        f"<h1>Themes</h1><p>{teaser}</p><p>The alpha theme takes these options:</p><ul><li>bodyfont: the body's font.</li>"
        "<li>sidebar: where the sidebar goes.</li></ul><p>New in version 3.1.</p><p>docs/source/conf.py</p>"
        "<pre>html_theme = 'alpha'</pre><p>The beta theme takes these options:</p><ul><li>bodyfont: the body's font.</li>"
        "</ul><p>New in version 3.1.</p><p>docs/source/conf.py</p><pre>html_theme = 'beta'</pre>"
        f"<p>To turn timestamps off, execute</p><p>echo 0 &gt; /proc/sys/net/ipv4/tcp_timestamps</p><p>{teaser}</p>"
        "<p>These links may help:</p><ul><li>Other ways to access Gmail &gt; POP</li><li>Using POP on many devices</li></ul>"
        "<p>That is all there is to say about the two themes.</p></body></html>"
    )
    _, passages = read(tmp_path, "themes.html", html)
    text = "\n".join(p.text for p in passages)
    assert text.count("bodyfont: the body's font.") == 2 and text.count("New in version 3.1.") == 2
    assert text.count("docs/source/conf.py") == 2 and "echo 0 > /proc/sys/net/ipv4/tcp_timestamps" in text
    assert text.count(teaser) == 1 and "Home > Docs" not in text and "Gmail > POP" not in text
    assert "Using POP on many devices" in text


def test_a_heading_that_repeats_an_earlier_line_is_still_a_section(tmp_path):
    """A page's own contents box written as plain lines ("1. Alpha") comes before the sections it names: the
    headings are not repeats to drop, the sections keep their names."""
    html = (
        "<html><head><title>Page</title></head><body><div><p>1. Alpha things</p><p>2. Beta things</p></div>"
        "<h1>1. Alpha things</h1><p>Alpha is the first letter.</p><h1>2. Beta things</h1><p>Beta is the second one.</p>"
        "</body></html>"
    )
    _, passages = read(tmp_path, "page.html", html)
    assert {p.heading for p in passages} >= {"1. Alpha things", "2. Beta things"}
