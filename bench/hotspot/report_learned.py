#!/usr/bin/python3
"""Writes bench/hotspot/results-DATE-learned.md from WORK/learned.json (HotspotBench part 'learned').

    report_learned.py WORK OUT_MD DATE COMMIT LOAD_BEFORE LOAD_AFTER REPO_ROOT [TRIED_MD]

TRIED_MD, when given, is a Markdown file appended as the "What was tried" section (settings
compared by hand with --learned-months / --learned-trees, which this run does not repeat).
"""
import json
import os
import statistics
import sys

work, out, date, commit, load_before, load_after, root = sys.argv[1:8]
tried = sys.argv[8] if len(sys.argv) > 8 else None
data = json.load(open(os.path.join(work, "learned.json")))
NAMES = {"NaiveCounts": "naive counts", "Prospective": "prospective (50 m, 60 days)", "Learned": "learned (LightGBM)"}


def nan(x):
    return x != x or x == "NaN"


def rate(r, digits=3):
    if nan(r["hit_rate_lower"]):
        return f"{r['hit_rate']:.{digits}f}"
    return f"{r['hit_rate']:.{digits}f} [{r['hit_rate_lower']:.{digits}f}, {r['hit_rate_upper']:.{digits}f}]"


def ms(seconds):
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


lines = [f"# Learned hotspot method: backtest and timings, {date}", "",
         "Command: `bench/hotspot/run.sh` (part 8, `HotspotBench learned`; issue 15, decision 047).", "",
         f"- Commit: `{commit}`. Machine: 2 cores, shared with other engineers building and testing during the run: load average "
         f"{load_before} at the start and {load_after} at the end (`uptime`). Wall-clock times move with the load; the CPU seconds "
         "(the process's processor time per run: the fit is single-threaded) are what an idle core would take.",
         f"- Data: `{os.path.relpath(data['source'], root)}` (data.police.uk street crime, Jan–Sep 2022).",
         f"- Model parameters (hash `{data['parameters_hash']}`): `{data['parameters'].split(';features=')[0]}`; "
         "63 features (docs/statistics.md, \"Learned risk model\").", ""]

lines += ["## 1. Hit rate at 1% coverage, Jan–Sep 2022", "",
          "Rolling origin by month: each of Feb..Sep scored after fitting on the months before it (8 folds), 100 m grid, default "
          "harm weights and feedback-loop guard; the learned model is refitted inside every fold (its first fold, with one month of "
          "history, falls back to prospective). 95% percentile-bootstrap intervals (scored incidents resampled within months, chosen "
          "cells fixed); *shifted grids*: the hit rate's range on grids shifted half a cell east, north and both.", "",
          "| method | " + " | ".join(b["area"] for b in data["backtests"]) + " |",
          "|---|" + "---|" * len(data["backtests"])]
for method in NAMES:
    cells = []
    for b in data["backtests"]:
        r = next(r for r in b["rows"] if r["method"] == method and abs(r["coverage"] - 0.01) < 1e-12)
        cells.append(f"{rate(r)} (shifted {r['shifted_hit_rate_min']:.3f}–{r['shifted_hit_rate_max']:.3f})")
    lines.append(f"| {NAMES[method]} | " + " | ".join(cells) + " |")
lines.append("")
for b in data["backtests"]:
    rows = {r["method"]: r for r in b["rows"] if abs(r["coverage"] - 0.01) < 1e-12}
    learned, naive = rows["Learned"], rows["NaiveCounts"]
    diff = (learned["hit_rate"] - naive["hit_rate"]) * 100
    disjoint = learned["hit_rate_lower"] > naive["hit_rate_upper"]
    verdict = ("**beats naive counts with disjoint 95% intervals**" if disjoint else
               "above naive counts, intervals overlap" if diff > 0 else "**below naive counts** (intervals overlap)")
    lines.append(f"- {b['area']}: learned {learned['hit_rate']:.4f} vs naive counts {naive['hit_rate']:.4f} ({diff:+.2f} points): {verdict}.")
lines.append("")

lines += ["## 2. Every coverage", ""]
for b in data["backtests"]:
    lines += [f"### {b['area']}", "",
              f"{b['folds']} folds, {b['scored_incidents']:,} scored incidents, {b['bootstrap_samples']} bootstrap replicates, "
              f"{b['seconds']:.1f} s for the three methods including the shifted-grid reruns (wall clock).", "",
              "| method | coverage | hit rate [95% CI] | PAI [95% CI] | PEI | count hit rate | hit rate, shifted grids |",
              "|---|---|---|---|---|---|---|"]
    for r in b["rows"]:
        pai = f"{r['pai']:.1f}" if nan(r["pai_lower"]) else f"{r['pai']:.1f} [{r['pai_lower']:.1f}, {r['pai_upper']:.1f}]"
        lines.append(f"| {NAMES[r['method']]} | {r['coverage'] * 100:g}% | {rate(r)} | {pai} | {r['pei']:.2f} | {r['count_hit_rate']:.3f} | "
                     f"{r['shifted_hit_rate_min']:.3f}–{r['shifted_hit_rate_max']:.3f} |")
    lines.append("")

lines += ["## 3. Training, scoring and `auto`'s choice", "",
          "*Fit + score*: `LearnedHotspots.Compute` on the nine-month training set (features for three target months and the "
          "scoring month, the LightGBM fit, predictions for every active cell). *Auto's choice*: `MethodSelection.Choose` at 1% — "
          "the rolling-origin backtest of naive counts, prospective and learned over the nine months (seven learned fits), 200 "
          "bootstrap replicates, no grid shifts: the extra cost of a default (`auto`) plan. Median over the runs after one warm-up.", "",
          "| area | cells | fit + score: wall | CPU | auto's choice: wall | CPU | chosen | model |",
          "|---|---|---|---|---|---|---|---|"]
for t in data["timings"]:
    lines.append(f"| {t['area']} | {t['cells']:,} | {ms(statistics.median(t['fit_and_score_seconds']))} | "
                 f"{ms(statistics.median(t['fit_and_score_cpu_seconds']))} | {ms(statistics.median(t['choose_seconds']))} | "
                 f"{ms(statistics.median(t['choose_cpu_seconds']))} | {t['chosen']} | {t['model_note']} |")
lines.append("")
lines += ["Why each choice:", ""] + [f"- {t['area']}: {t['choice_reason']}" for t in data["timings"]] + [""]

if tried and os.path.exists(tried):
    lines += [open(tried).read().rstrip(), ""]

open(out, "w").write("\n".join(lines))
