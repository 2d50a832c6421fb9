"""Rendering: the JSON shape, the copied text, and the chat's HTML, which must keep document text inert."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answer.compose import abstain, compose
from bot.records import Candidate, Document, Passage
from bot.serve.render import question_html, start_screen, to_dict, to_html, to_plain

BEFORE = "An earlier paragraph of the article.\n\n"
PASSAGE = "Pay\n\nJuniors earn less. Seniors earn $150,000 a year."
AFTER = "\n\nA later paragraph of the article."
DOC = Document(doc_id="doc.txt", title="Careers", text=BEFORE + PASSAGE + AFTER, author="Ann Author", date="2024-05-01")


START = len(BEFORE)


def passage(text=PASSAGE, heading="Pay", doc=DOC, start=START):
    return Passage(
        pid=0,
        doc_id=doc.doc_id,
        title=doc.title,
        heading=heading,
        start=start,
        end=start + len(text),
        text=text,
        sentences=((start, start + len(text)),),
    )


def answer_from(p, span, text="Seniors earn $150,000 a year."):
    return compose("How much do seniors earn?", [Candidate(passage=p, span=span, text=text, score=0.9, passage_score=0.9)], max_citations=3)


def seniors_span(p):
    s = p.start + p.text.index("Seniors")
    return (s, p.end)


# Awkward document text: markup of every kind, Markdown, entities, quotes, line breaks, emoji, CJK, nothing.
HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "![pic](http://x/y.png) [link](javascript:alert(3)) **bold** _em_ `code` $$x^2$$",
    '<a href="javascript:alert(4)">a</a><iframe src="javascript:alert(5)"></iframe><style>body{display:none}</style>',
    "&lt;already escaped&gt; &amp; \" ' </div></details></mark>",
    "line one\n\n\nline two\r\n  • item",
    "🙂 中文 — ",
    "",
]

#: Every tag and attribute the chat HTML may contain: ours, none from documents.
OUR_TAGS = {"code", "div", "p", "a", "span", "strong", "blockquote", "mark", "details", "summary", "br", "button", "ul", "li"}
OUR_ATTRIBUTES = {"class", "id", "href", "title", "type", "hidden"}


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes, self.hrefs = set(), set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes |= {k for k, _ in attrs}
        self.hrefs += [v for k, v in attrs if k == "href"]


def markup_of(html_text: str) -> _Tags:
    parser = _Tags()
    parser.feed(html_text)
    return parser


def assert_inert(html_text: str) -> None:
    found = markup_of(html_text)
    assert found.tags <= OUR_TAGS, found.tags - OUR_TAGS
    assert found.attributes <= OUR_ATTRIBUTES, found.attributes - OUR_ATTRIBUTES
    assert all(h.startswith("#src-") for h in found.hrefs), found.hrefs
    assert "\n" not in html_text  # one line: the chat's Markdown renderer sees one HTML block and no Markdown


def test_markers_link_to_sources_with_title_heading_author_and_date():
    p = passage()
    out = to_html(answer_from(p, seniors_span(p)), {DOC.doc_id: DOC}, key="7")
    assert '<a class="bot-cite" href="#src-7-1"' in out and 'id="src-7-1"' in out
    for shown in ("Careers", "Pay", "Ann Author", "2024-05-01"):
        assert shown in out


def test_the_quoted_sentence_is_marked_and_the_heading_line_not_repeated():
    p = passage()
    out = to_html(answer_from(p, seniors_span(p)), {DOC.doc_id: DOC})
    quote = out.split('<blockquote class="bot-passage">')[1].split("</blockquote>")[0]
    assert quote == "Juniors earn less. <mark>Seniors earn $150,000 a year.</mark>"


def test_a_markdown_heading_line_is_not_repeated_either():
    text = "## Pay\nSeniors earn $150,000 a year."
    doc = Document(doc_id="doc.md", title="Careers", text=text)
    p = passage(text=text, doc=doc, start=0)
    out = to_html(answer_from(p, (7, len(text))), {doc.doc_id: doc})
    assert '<blockquote class="bot-passage"><mark>Seniors earn $150,000 a year.</mark></blockquote>' in out


def test_expanding_a_source_shows_it_in_its_article():
    p = passage()
    out = to_html(answer_from(p, seniors_span(p)), {DOC.doc_id: DOC})
    context = out.split('<div class="bot-article">')[1]
    assert context.index("An earlier paragraph") < context.index('<span class="bot-cited">') < context.index("A later paragraph")
    assert "<mark>Seniors earn $150,000 a year.</mark>" in context


def test_context_is_cut_on_word_boundaries_in_a_long_article():
    words = " ".join(f"w{i}" for i in range(2000))
    doc = Document(doc_id="long.txt", title="Long", text=f"{words} {PASSAGE} {words}")
    p = passage(doc=doc, start=len(words) + 1)
    context = to_html(answer_from(p, seniors_span(p)), {doc.doc_id: doc}).split('<div class="bot-article">')[1]
    assert context.startswith("… w") and context.split("</div>")[0].endswith(" …")
    assert all(piece.startswith("w") for piece in context.split("</span>")[1].split("</div>")[0].split()[:-1])


def test_without_the_document_the_source_is_shown_without_context():
    p = passage()
    out = to_html(answer_from(p, seniors_span(p)), {})
    assert 'id="src-1-1"' in out and "<details" not in out


def test_every_piece_of_hostile_document_text_is_inert():
    for text in HOSTILE:
        body = f"{text} Seniors earn a lot. {text}"
        doc = Document(doc_id="evil.md", title=text or "untitled", text=f"{text}\n{body}\n{text}", author=text, date=text, publisher=text)
        start = len(text) + 1
        p = Passage(
            pid=0,
            doc_id=doc.doc_id,
            title=text,
            heading=text,
            start=start,
            end=start + len(body),
            text=body,
            sentences=((start, start + len(body)),),
        )
        answer = compose(
            text or "q",
            [Candidate(passage=p, span=(p.start, p.end), text=body, score=0.9, passage_score=0.9)],
            max_citations=3,
            interpreted_as=text,
        )
        for out in (to_html(answer, {doc.doc_id: doc}), to_html(abstain(text, (text, text)), {}), question_html(text), start_screen([doc])):
            assert_inert(out)
            if "<script>" in text:
                assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out


@settings(max_examples=60, deadline=None)
@given(title=st.text(max_size=40), body=st.text(min_size=1, max_size=200), author=st.text(max_size=20))
def test_no_document_text_ever_becomes_markup(title, body, author):
    doc = Document(doc_id="d.txt", title=title, text=body, author=author)
    p = Passage(pid=0, doc_id=doc.doc_id, title=title, heading=title, start=0, end=len(body), text=body, sentences=((0, len(body)),))
    assert_inert(
        to_html(
            compose("q", [Candidate(passage=p, span=(0, len(body)), text=body, score=0.9, passage_score=0.9)], max_citations=3),
            {doc.doc_id: doc},
        )
    )
    assert_inert(start_screen([doc]))


def test_an_abstention_lists_its_suggestions_unless_the_chat_offers_them():
    answer = abstain("weather?", ("Do I need a master's degree?",))
    listed, offered = to_html(answer), to_html(answer, list_suggestions=False)
    assert "don&#x27;t cover this" in listed and "<li>Do I need a master&#x27;s degree?</li>" in listed
    assert "<li>" not in offered and "Questions they do answer" in offered


def test_the_copy_button_copies_plain_text():
    p = passage()
    answer = answer_from(p, seniors_span(p))
    plain = to_plain(answer, {DOC.doc_id: DOC})
    assert plain.splitlines() == [
        "Pay: Seniors earn $150,000 a year. [1]",
        "",
        "[1] Careers — Pay (Ann Author, 2024-05-01)",
        "“Seniors earn $150,000 a year.”",
    ]
    out = to_html(answer, {DOC.doc_id: DOC})
    assert '<div class="bot-plain" hidden>Pay: Seniors earn $150,000 a year. [1]&#10;&#10;[1] Careers' in out
    assert '<button type="button" class="bot-copy"' in out


def test_a_followup_says_how_it_was_read():
    p = passage()
    answer = compose(
        "And seniors?",
        [Candidate(passage=p, span=seniors_span(p), text="Seniors earn $150,000 a year.", score=0.9, passage_score=0.9)],
        3,
        interpreted_as="And seniors? (about: Pay?)",
    )
    assert '<p class="bot-interpreted">Interpreted as: And seniors? (about: Pay?)</p>' in to_html(answer)


def test_start_screen_lists_the_articles():
    out = start_screen([DOC, Document(doc_id="b.txt", title="Another <article>", text="x", publisher="Pub")])
    assert "from 2 articles" in out and "<strong>Careers</strong>" in out and "Another &lt;article&gt;" in out and "Pub" in out


def test_json_shape():
    p = passage()
    data = to_dict(answer_from(p, seniors_span(p)), {DOC.doc_id: DOC})
    assert set(data["citations"][0]) >= {"n", "title", "heading", "source", "start", "end", "text", "score", "highlights", "author", "date"}
    assert data["abstained"] is False and data["answer"].endswith("[1]") and data["citations"][0]["author"] == "Ann Author"


def _code_answer():
    lead, code = "Delete the branch with", "$ git branch -d <old>\n    && echo done"
    text = f"{lead}\n\n{code}"
    doc = Document(doc_id="git.html", title="Git", text=text)
    code_span = (len(lead) + 2, len(text))
    p = Passage(
        pid=0,
        doc_id=doc.doc_id,
        title="Git",
        heading="",
        start=0,
        end=len(text),
        text=text,
        sentences=((0, len(lead)), code_span),
        code=(code_span,),
    )
    chosen = [
        Candidate(passage=p, span=(0, len(lead)), text=lead, score=0.9, passage_score=0.9, incomplete=True),
        Candidate(passage=p, span=code_span, text=code, score=0.5, passage_score=0.9, code=True),
    ]
    from bot.answer.compose import select_sentences

    return doc, compose("how do I delete a branch", select_sentences(chosen), max_citations=3)


def test_code_in_an_answer_is_fenced_in_text_and_json_and_a_code_block_in_html():
    doc, answer = _code_answer()
    assert "```\n$ git branch -d <old>\n    && echo done\n``` [1]" in answer.text  # the sentence it completes is kept too
    data = to_dict(answer, {doc.doc_id: doc})
    assert data["citations"][0]["code"] == [[len("Delete the branch with") + 2, len(doc.text)]]
    out = to_html(answer, {doc.doc_id: doc})
    assert '<code class="bot-code bot-code-block">$ git branch -d &lt;old&gt;<br>&nbsp;&nbsp;&nbsp;&nbsp;&amp;&amp; echo done</code>' in out
    assert "```" not in out.split('class="bot-plain"')[0]  # the fence is text markup, not shown in the chat
    assert '<code class="bot-code">' in out  # and the source shows its code as code
    assert_inert(out)
