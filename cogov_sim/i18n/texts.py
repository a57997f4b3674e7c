"""The fixed text of every output in English and Chinese: plot titles and labels, report headings, the app.

``key -> (English, 中文)``; a text may hold ``{fields}`` filled by :func:`cogov_sim.i18n.text`. Keys start with
where the text is shown: ``dash.`` the run dashboard, ``map.`` and ``net.`` the run's map and network, ``sweep.``
the sweep figures and report, ``wi.`` the what-if figures and report, ``run.`` a run's report, ``app.`` the app.
"""

from __future__ import annotations

PLOTS: dict[str, tuple[str, str]] = {
    "dash.physical": ("Physical space: shared presence", "物理空间：共同在场"),
    "dash.social": ("Social space: joint action", "社会空间：共同行动"),
    "dash.spiritual": ("Spiritual space: shared consciousness", "精神空间：共同意识"),
    "dash.gci": ("Governance community index", "治理共同体指数"),
    "dash.visited_30d": ("visited in last 30 days", "近30天到访"),
    "dash.day": ("day", "天"),
    "dash.joint_per_day": ("joint actions / day", "共同行动 / 天"),
    "dash.untitled": ("cogov_sim run", "cogov_sim 模拟"),
    "dash.title": ("{name} (seed {seed})", "{name}（种子 {seed}）"),
    "map.workplaces": ("office/park", "楼宇/园区"),
    "map.title": (
        "{name}: centers sized by visits/day, residents coloured by identification",
        "{name}：中心大小表示日均到访，居民颜色表示认同感",
    ),
    "map.identification": ("identification", "认同感"),
    "map.area": ("RA{k}", "居{k}"),
    "map.metres": ("m", "米"),
    "net.same_type": ("same type", "同类型"),
    "net.agreement": ("co-building agreement", "共建协议"),
    "net.title": (
        "Organization network, day {day}: ties by type pair, {agreements} co-building agreements\n{hidden} not shown",
        "组织网络，第 {day} 天：按类型组合着色的关系，{agreements} 份共建协议\n{hidden}未显示",
    ),
    "net.alone": ("{alone} organizations without ties", "{alone} 个无关系的组织"),
    "net.cut": (" and {cut} less connected", "及 {cut} 个联系较少的组织"),
    "net.alliance_member": ("alliance member", "联盟成员"),
    "sweep.mean": ("mean", "均值"),
    "sweep.interval": ("95% interval", "95% 区间"),
    "sweep.runs": ("runs", "各次运行"),
    "sweep.by_parameter": ("{indicator} by parameter", "{indicator}随参数变化"),
    "sweep.heatmap": ("{indicator}: mean over replications", "{indicator}：重复运行的均值"),
    "sweep.mean_of": ("mean {indicator}", "{indicator}均值"),
    "sweep.mu_star": ("mu* (95% interval)", "mu*（95% 区间）"),
    "sweep.sigma": ("sigma", "sigma 标准差"),
    "sweep.morris_x": (
        "elementary effect on {indicator} (per unit of the parameter's range)",
        "对{indicator}的基本效应（按参数范围的单位）",
    ),
    "sweep.s1": ("S1 first order", "S1 一阶指数"),
    "sweep.st": ("ST total order", "ST 总效应指数"),
    "sweep.sobol_x": ("Sobol index of {indicator} (95% intervals)", "{indicator}的 Sobol 指数（95% 区间）"),
    "sweep.sensitivity": ("{method} sensitivity of {indicator}", "{indicator}的 {method} 敏感性"),
    "sweep.sensitivity_of": ("sensitivity of {indicator}", "{indicator}的敏感性"),
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
}
"""Titles, axis labels and legend entries of the figures."""

REPORTS: dict[str, tuple[str, str]] = {
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
    "run.title": ("Run: {name}", "模拟运行：{name}"),
    "run.setup": (
        "Scenario `{name}` (hash `{hash}`), seed {seed}, {days} days; run time {wall} s.",
        "情景 `{name}`（哈希 `{hash}`），种子 {seed}，{days} 天；用时 {wall} 秒。",
    ),
    "run.final": ("Indicators on the final day", "最后一天的指标"),
    "run.col.indicator": ("indicator", "指标"),
    "run.col.column": ("column", "列名"),
    "run.col.value": ("value", "数值"),
    "run.col.meaning": ("meaning", "含义"),
    "run.plots": ("Plots", "图"),
    "run.files": (
        "Files: `timeseries.csv` (one row per day), `summary.json`, `scenario.resolved.yaml` (to rerun exactly),"
        " `tables/` (by center, level, segment, actor type and type pair).",
        "文件：`timeseries.csv`（每天一行），`summary.json`，`scenario.resolved.yaml`（可精确重跑），"
        "`tables/`（按中心、层级、居民群体、行动者类型和类型组合的表）。",
    ),
    "sweep.title": ("Sweep: {name}", "参数扫描：{name}"),
    "sweep.setup": (
        "Design `{method}` over {parameters}; {runs} runs ({ok} ok, {failed} failed).",
        "设计 `{method}`，参数：{parameters}；共 {runs} 次运行（成功 {ok}，失败 {failed}）。",
    ),
    "sweep.plots": ("Plots", "图"),
    "sweep.files": (
        "Files: `summary.csv` (mean and 95% interval per design point), `sensitivity.csv` (Morris and Sobol"
        " designs), `runs.parquet` and `timeseries.parquet` (every run), `experiment.resolved.yaml`.",
        "文件：`summary.csv`（每个设计点的均值与95%区间），`sensitivity.csv`（Morris 与 Sobol 设计），"
        "`runs.parquet` 和 `timeseries.parquet`（每次运行），`experiment.resolved.yaml`。",
    ),
}
"""Headings and fixed sentences of ``report.md`` (runs, sweeps, what-ifs)."""

APP: dict[str, tuple[str, str]] = {
    "app.title": ("cogov_sim · co-governance explorer", "cogov_sim · 共治模拟"),
    "app.bar": (
        "cogov_sim: Party-mass service centers and grassroots co-governance",
        "cogov_sim：党群服务中心与基层治理共同体",
    ),
    "app.language": ("language", "语言 language"),
    "app.scenario": ("Scenario", "情景"),
    "app.scenario.pick": ("scenario", "情景"),
    "app.seed": ("seed (applied on Reset)", "种子（重置时生效）"),
    "app.run": ("Run", "运行"),
    "app.step": ("Step", "单步"),
    "app.play": ("Play", "播放"),
    "app.pause": ("Pause", "暂停"),
    "app.reset": ("Reset", "重置"),
    "app.interval": ("render interval: {days} day(s) per frame", "绘制间隔：每帧 {days} 天"),
    "app.interval.help": ("Step and Play advance this many days, then draw.", "单步和播放每次前进这么多天，然后绘制。"),
    "app.reset_applies": ("Reset applies: ", "重置将应用："),
    "app.as_shipped": ("the scenario file as shipped", "情景文件原样"),
    "app.running_with": ("running with: ", "当前运行："),
    "app.parameters": ("Parameters (applied on Reset)", "参数（重置时生效）"),
    "app.section": ("section", "分组"),
    "app.section.centers": ("centers: {level}", "中心：{level}"),
    "app.section.organizations": ("organizations", "组织"),
    "app.section.population": ("population", "人口"),
    "app.section.behaviour": ("behaviour", "行为"),
    "app.level_centers": ("{level} centers", "{level}数量"),
    "app.level_density": ("{level} centers ({field})", "{level}（{field}）"),
    "app.per_km2": ("per km2", "每平方公里"),
    "app.per_10k_residents": ("per 10k residents", "每万居民"),
    "app.functions": ("function zones", "功能区"),
    "app.open_slots": ("open slots", "开放时段"),
    "app.open_days": ("open days", "开放日"),
    "app.mixed_zones": ("shared mixed zones", "共享混合功能区"),
    "app.sample_fraction": ("people simulated (sample fraction)", "模拟人口比例"),
    "app.on": ("on", "开"),
    "app.off": ("off", "关"),
    "app.view": ("View", "显示"),
    "app.sample": ("residents drawn on the map", "地图上绘制的居民数"),
    "app.shade": ("shade the area each center draws from", "显示各中心的服务范围"),
    "app.export": ("Export", "导出"),
    "app.nothing_yet": ("nothing to export yet", "暂无可导出内容"),
    "app.csv": ("time series (CSV)", "时间序列（CSV）"),
    "app.png": ("map (PNG)", "地图（PNG）"),
    "app.building": ("building the model of '{name}' …", "正在构建“{name}”的模型 …"),
    "app.building_short": ("building the model …", "正在构建模型 …"),
    "app.build_failed": ("could not build the model: {error}", "无法构建模型：{error}"),
    "app.step_failed": ("step failed: {error}", "单步失败：{error}"),
    "app.timing": (
        "last frame {frame:.2f} s: model {step:.2f} s/day, drawing {draw:.2f} s (map {map:.2f}, charts {charts:.2f},"
        " network {network:.2f}) · {agents:,} people simulated",
        "上一帧 {frame:.2f} 秒：模型 {step:.2f} 秒/天，绘制 {draw:.2f} 秒（地图 {map:.2f}，图表 {charts:.2f}，"
        "网络 {network:.2f}）· 模拟 {agents:,} 人",
    ),
    "app.map_caption": (
        "{open} centers open, {opened} opened by what-ifs · click the map to choose where a new station opens",
        "开放中心 {open} 个，政策模拟新开 {opened} 个 · 点击地图选择新站点的位置",
    ),
    "app.markers": ("what-if markers: {marks}", "政策模拟标记：{marks}"),
    "app.marker": ("day {day} ({kind})", "第 {day} 天（{kind}）"),
    "app.none_yet": ("none yet", "暂无"),
    "app.network_caption": (
        "edge width: tie strength · red edge: co-building agreement · black ring: alliance member · redrawn when it"
        " changes and weekly",
        "连线粗细：关系强度 · 红色连线：共建协议 · 黑圈：联盟成员 · 变化时及每周重绘",
    ),
    "app.num.day": ("day", "天数"),
    "app.num.visits": ("visits today", "今日到访"),
    "app.num.joint_actions": ("joint actions today", "今日共同行动"),
    "app.num.problems_open": ("problems open", "未解决问题"),
    "app.num.problems_resolved": ("problems resolved", "已解决问题"),
    "app.num.volunteers": ("volunteers", "志愿者"),
    "app.num.gci": ("gci", "治理共同体指数 gci"),
    "app.num.centers_open": ("centers open", "开放中心"),
    "app.marker_line": ("what-if applied", "政策模拟已应用"),
    "app.map_title": (
        "centers sized by today's visits · residents coloured by identification",
        "中心大小：今日到访 · 居民颜色：认同感",
    ),
    "app.opened_by_whatif": ("opened by a what-if", "政策模拟新开"),
    "app.centers_count": ("centers (count)", "中心（数量）"),
    "app.resident_identification": ("resident identification", "居民认同感"),
    "app.whatif": ("What-if: apply now", "政策模拟：立即应用"),
    "app.intervention": ("intervention", "干预"),
    "app.apply": ("Apply now", "立即应用"),
    "app.not_applied": ("not applied: {error}", "未应用：{error}"),
    "app.applied": ("day {day}: {summary} (acts from day {next})", "第 {day} 天：{summary}（第 {next} 天起生效）"),
    "app.areas_all": (" (none: all)", "（不选：全部）"),
    "app.at_place": (
        "at a chosen place (+ on the map; click the map to move it)",
        "在选定位置（地图上的 +；点击地图移动）",
    ),
    "app.lasts": ("lasts (days; empty: to the end)", "持续天数（留空：到结束）"),
    "app.residential_areas": ("residential areas", "居民区"),
    "app.chosen_place": ("at a chosen place", "在选定位置"),
}
"""The browser app's labels, buttons and captions."""
