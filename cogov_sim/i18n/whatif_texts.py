"""The fixed text of the what-if figures and report (``wi.`` keys), ``key -> (English, 中文)``."""

from __future__ import annotations

WHATIF: dict[str, tuple[str, str]] = {
    "wi.trajectory": (
        "{indicator}: mean and 95% band over replications (dashed: intervention start, dotted: end)",
        "{indicator}：重复运行的均值与95%区间（虚线：干预开始，点线：结束）",
    ),
    "wi.paired": ("paired difference from the baseline (same seeds), 95% band", "与基线的配对差（相同种子），95%区间"),
    "wi.diff_axis": ("policy − baseline", "政策 − 基线"),
    "wi.forest_x": (
        "(policy − baseline) / baseline mean, % (95% CI)",
        "（政策 − 基线）/ 基线均值，%（95% 置信区间）",
    ),
    "wi.forest_title": (
        "Effects: relative change from the baseline with 95% intervals (raw numbers in report.md)",
        "效应：相对基线的变化及95%区间（原始数值见 report.md）",
    ),
    "wi.forest_mid": ("± minimum important difference", "± 最小重要差"),
    "wi.forest_zero": ("(baseline 0: not shown)", "（基线为 0：未画出）"),
    "wi.baseline": ("baseline", "基线 baseline"),
    "wi.window.final_day": ("final day", "最后一天"),
    "wi.window.after_start": ("after start", "政策开始后"),
    "wi.window.last": ("last {days} days", "最后 {days} 天"),
    "wi.title": ("What-if: {name}", "政策模拟：{name}"),
    "wi.question": ("**Question.** {question}", "**问题。** {question}"),
    "wi.answer": ("Answer", "回答"),
    "wi.answer.intro": (
        "A material change is a difference larger than the indicator's minimum important difference (MID) whose"
        " 95% interval excludes 0. Numbers: the relative change, the mean paired difference [95% interval], and"
        " the means of the two arms; outcomes are the indicators named in the file.",
        "实质变化指差值大于该指标最小重要差（MID）且95%区间不含 0 的变化。数字依次为：相对变化、平均配对差"
        "[95%区间]，以及两组的均值；结果指标为文件中列出的指标。",
    ),
    "wi.answer.sentence": (
        "**{policy}** against {reference}, {window} ({n} paired replications): {parts}.",
        "**{policy}** 与{reference}相比，{window}（{n} 次配对重复）：{parts}。",
    ),
    "wi.answer.baseline": ("the baseline", "基线"),
    "wi.answer.reference": ("**{name}**", "政策 **{name}** "),
    "wi.answer.final_day": ("on day {end}", "第 {end} 天"),
    "wi.answer.after_start": ("over days {start}-{end}", "第 {start}-{end} 天平均"),
    "wi.answer.last": ("over the last {days} days (days {start}-{end})", "最后 {days} 天（第 {start}-{end} 天）平均"),
    "wi.answer.up": ("up", "上升"),
    "wi.answer.down": ("down", "下降"),
    "wi.answer.change": (
        "{indicator} {direction}{rel} ({diff} [{low}, {high}], {before} → {after})",
        "{indicator}{direction}{rel}（{diff} [{low}, {high}]，{before} → {after}）",
    ),
    "wi.answer.unclear": (
        "unclear, possibly material but the interval includes 0: {items}",
        "不确定（可能有实质变化，但区间含 0）：{items}",
    ),
    "wi.answer.unclear_item": ("{indicator} ({diff} [{low}, {high}])", "{indicator}（{diff} [{low}, {high}]）"),
    "wi.answer.none": ("no material change in {items}", "{items}无实质变化"),
    "wi.answer.identical": ("identical in every replication: {items}", "每次重复都完全相同：{items}"),
    "wi.answer.small_n": ("too few pairs to tell: {items}", "配对太少，无法判断：{items}"),
    "wi.answer.sep": ("; ", "；"),
    "wi.answer.list_sep": (", ", "、"),
    "wi.setup": ("Setup", "设置"),
    "wi.setup.base": (
        "Base scenario: `{base}` (resolved hash `{hash}`), overrides: {overrides}.",
        "基础情景：`{base}`（解析后哈希 `{hash}`），覆盖设置：{overrides}。",
    ),
    "wi.none": ("none", "无"),
    "wi.setup.days": (
        "{days} days; {reps} paired replications: replication r runs the baseline and every policy with one seed"
        " (experiment seed {seed}), so arms differ only where a policy acts.",
        "{days} 天；{reps} 次配对重复：第 r 次重复用同一个种子运行基线和每项政策（实验种子 {seed}），"
        "因此各组只在政策起作用处不同。",
    ),
    "wi.setup.runs": (
        "Runs: {runs} ({ok} ok, {failed} failed, {lost} lost); mean run time {wall} s.",
        "运行：{runs} 次（成功 {ok}，失败 {failed}，丢失 {lost}）；平均每次 {wall} 秒。",
    ),
    "wi.setup.t": (
        "Intervals: 95% paired t on the per-replication difference policy − baseline.",
        "区间：按每次重复的差值（政策 − 基线）计算的95%配对 t 区间。",
    ),
    "wi.setup.bootstrap": (
        "Intervals: 95% paired bootstrap on the per-replication difference policy − baseline.",
        "区间：按每次重复的差值（政策 − 基线）计算的95%配对自助法区间。",
    ),
    "wi.policies": ("Policies", "政策"),
    "wi.policy": (
        "**{name}** (first acts on day {day}). {description}",
        "**{name}**（第 {day} 天起作用）。{description}",
    ),
    "wi.no_interventions": ("no interventions (reproduces the baseline)", "无干预（重现基线）"),
    "wi.effects": ("Effects", "效应"),
    "wi.effects.intro": (
        "Each row: the indicator's mean in the baseline and under the policy, the mean paired difference with its"
        " 95% interval, the relative change, the minimum important difference (MID, in the indicator's units) and"
        " the number of pairs. *up* / *down*: the interval excludes 0 and the difference exceeds the MID;"
        " *unclear*: the difference exceeds the MID but the interval includes 0 (the model cannot tell the policy"
        " from the baseline at this number of replications); *no material change*: the difference is within the"
        " MID.",
        "每行：指标在基线和政策下的均值、平均配对差及其95%区间、相对变化、最小重要差（MID，指标自身单位）和配对数。"
        "*上升* / *下降*：区间不含 0 且差值超过 MID；*不确定*：差值超过 MID 但区间含 0（在当前重复次数下模型无法区分"
        "政策与基线）；*无实质变化*：差值不超过 MID。",
    ),
    "wi.contrasts": ("Contrasts between policies", "政策之间的对比"),
    "wi.contrasts.intro": (
        "The same paired comparison with another policy as the reference (same seeds in both arms); the"
        " `after_start` window starts at the later of the two first start days.",
        "同样的配对比较，以另一项政策为参照（两组种子相同）；`after_start` 窗口从两者较晚的起始日开始。",
    ),
    "wi.window": ("Window: `{window}` ({text})", "窗口：`{window}`（{text}）"),
    "wi.window.final_day.long": ("on the final day", "最后一天"),
    "wi.window.after_start.long": (
        "averaged over the days from the policy's first start day to the end",
        "从政策首个起始日到结束的平均",
    ),
    "wi.window.last.long": ("averaged over the last {days} days", "最后 {days} 天的平均"),
    "wi.col.policy": ("policy", "政策"),
    "wi.col.contrast": ("policy − reference", "政策 − 参照"),
    "wi.col.indicator": ("indicator", "指标"),
    "wi.col.baseline": ("baseline", "基线"),
    "wi.col.reference": ("reference", "参照"),
    "wi.col.diff": ("diff [95% CI]", "差值 [95% 置信区间]"),
    "wi.col.rel": ("rel. change", "相对变化"),
    "wi.col.reading": ("reading", "解读"),
    "wi.verdict.up": ("up", "上升"),
    "wi.verdict.down": ("down", "下降"),
    "wi.col.mid": ("MID", "最小重要差 MID"),
    "wi.verdict.identical": ("identical", "完全相同"),
    "wi.verdict.unclear": ("unclear", "不确定"),
    "wi.verdict.no_material_change": ("no material change", "无实质变化"),
    "wi.verdict.small_n": ("n too small", "样本太少"),
    "wi.indicators": ("Indicators", "指标"),
    "wi.plots": ("Plots", "图"),
    "wi.files": (
        "Files: `effects.csv` (this table, all windows), `trajectories.csv` (daily means and bands per arm),"
        " `contrasts.csv` (policy against policy, if any), `runs.parquet` and `timeseries.parquet` (every run),"
        " `whatif.resolved.yaml` (the experiment with every intervention parameter). See `docs/whatif.md` for how"
        " to read the effects.",
        "文件：`effects.csv`（本表，全部窗口），`trajectories.csv`（各组每日均值与区间），`contrasts.csv`"
        "（政策之间的对比，如有），`runs.parquet` 和 `timeseries.parquet`（每次运行），`whatif.resolved.yaml`"
        "（含全部干预参数的实验）。效应的解读见 `docs/whatif.md`。",
    ),
}
