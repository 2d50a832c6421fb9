"""The scale benchmark as Markdown tables, a plot (PNG) and one JSON object."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from bot.bench.scale import RECALL_TARGET, ScaleResult


def _size(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k" if n >= 1000 else str(n)


def tables(result: ScaleResult) -> str:
    lines = [
        f"Approximate indexes tuned to the smallest efSearch/nprobe reaching recall@10 ≥ {RECALL_TARGET} (or the largest tried);",
        "search: one query at a time, k=10; memory: bytes of the serialized index; build: vectors added per second.",
        "",
        "| data | size | index | build (vectors/s) | search p50 / p95 (ms) | p50, 2 threads (ms) | memory (MB) | recall@10 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in result.runs:
        lines.append(
            f"| {r.data} | {_size(r.size)} | {r.index} | {r.build_per_s:,.0f} | {r.p50_ms:.2f} / {r.p95_ms:.2f} | "
            f"{r.p50_ms_2_threads:.2f} | {r.megabytes:,.0f} | {r.recall:.3f} |"
        )
    if result.floor_ms:
        biggest = max(r.size for r in result.runs)
        exact = next(r for r in result.runs if r.size == biggest and r.kind == "exact" and r.data == "uniform")
        lines += [
            "",
            f"Exact search at {_size(biggest)}: p50 {min(exact.p50_ms, exact.p50_ms_2_threads):.1f} ms; memory-bandwidth floor "
            f"{result.floor_ms:.1f} ms ({exact.megabytes:,.0f} MB read at {result.bandwidth_gb_s:.1f} GB/s, measured in the same run): "
            f"{result.exact_over_floor:.2f}x the floor.",
        ]
    if result.batch_ms:
        lines += [
            "",
            "| queries per call (exact, "
            + _size(sorted({r.size for r in result.runs})[len({r.size for r in result.runs}) // 2])
            + ") | "
            + " | ".join(str(n) for n in result.batch_ms)
            + " |",
            "| --- |" + " --- |" * len(result.batch_ms),
            "| ms per query | " + " | ".join(f"{v:.2f}" for v in result.batch_ms.values()) + " |",
        ]
    if result.text:
        lines += [
            "",
            "| synthetic text passages | sentences | real build (s) | passages/s | embedding alone (s) | build / embedding | build peak memory |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for t in result.text:
            alone = f"{t.embed_seconds:.1f} | {t.seconds / t.embed_seconds:.2f}" if t.embed_seconds else "— | —"
            lines.append(f"| {t.passages:,} | {t.sentences:,} | {t.seconds:.1f} | {t.per_s:.1f} | {alone} | {t.peak_mb:,.0f} MB |")
        rate = result.text[-1].per_s
        if rate:
            lines.append("| 100k (extrapolated) | | " + f"{100_000 / rate / 60:.0f} min | | | | |")
            lines.append("| 1M (extrapolated) | | " + f"{1_000_000 / rate / 3600:.1f} h | | | | |")
    return "\n".join(lines)


def plot(result: ScaleResult, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_time, ax_build, ax_mem) = plt.subplots(1, 3, figsize=(17, 5.2))
    styles = {"exact": ("tab:red", "o"), "hnsw": ("tab:blue", "s"), "ivf-sq8": ("tab:green", "^"), "ivf-pq-refine": ("tab:purple", "v")}
    for data, line in (("embedding-like", "-"), ("uniform", "--")):
        for kind, (colour, marker) in styles.items():
            runs = sorted((r for r in result.runs if r.data == data and r.kind == kind), key=lambda r: r.size)
            if not runs:
                continue
            label = f"{kind}, {data}"
            ax_time.plot([r.size for r in runs], [r.p50_ms for r in runs], line, color=colour, marker=marker, label=label)
            for r in runs:
                if kind != "exact":
                    ax_time.annotate(
                        f"{r.recall:.2f}", (r.size, r.p50_ms), textcoords="offset points", xytext=(4, 4), fontsize=7, color=colour
                    )
            if data == "embedding-like":
                ax_mem.plot([r.size for r in runs], [r.megabytes for r in runs], "-", color=colour, marker=marker, label=kind)
                ax_build.plot(
                    [r.size for r in runs], [r.build_per_s for r in runs], "-", color=colour, marker=marker, label=f"{kind} (vectors)"
                )
    if result.text:
        ax_build.plot(
            [t.passages for t in result.text],
            [t.per_s for t in result.text],
            "-",
            color="black",
            marker="D",
            label="real build of text passages\n(chunk, embed, BM25, write)",
        )
    if result.floor_ms:
        biggest = max(r.size for r in result.runs)
        ax_time.plot([biggest], [result.floor_ms], "k*", markersize=12, label="bandwidth floor of exact")
    ax_time.axhline(5, color="grey", linewidth=0.8, linestyle=":")
    ax_time.text(min(r.size for r in result.runs), 5.4, "5 ms", color="grey", fontsize=8)
    ax_time.set(
        xscale="log",
        yscale="log",
        xlabel="vectors (384-d)",
        ylabel="search p50, one query (ms)",
        title="Search cost by corpus size (numbers: recall@10)",
    )
    ax_mem.set(xscale="log", yscale="log", xlabel="vectors (384-d)", ylabel="index size (MB)", title="Memory by corpus size")
    ax_build.set(
        xscale="log",
        yscale="log",
        xlabel="vectors or passages",
        ylabel="built per second",
        title="Build throughput (embedding bounds the real build)",
    )
    for ax in (ax_time, ax_build, ax_mem):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def as_dict(result: ScaleResult) -> dict:
    out = asdict(result)
    out["text"] = [{**asdict(t), "per_s": t.per_s} for t in result.text]
    return out
