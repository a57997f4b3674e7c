"""The fixed text of runs and sweeps in English and Chinese: plot titles and labels, report headings.

``key -> (English, 中文)``; a text may hold ``{fields}`` filled by :func:`cogov_sim.i18n.text`. Keys start with
where the text is shown: ``dash.`` the run dashboard, ``map.`` and ``net.`` the run's map and network, ``sweep.``
the sweep figures and report, ``run.`` a run's report. The what-if's texts (``wi.``) are in
:mod:`~cogov_sim.i18n.whatif_texts`, the app's (``app.``) in :mod:`~cogov_sim.i18n.app_texts`.
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
    "map.street": ("S{k}", "街{k}"),
    "map.metres": ("m", "米"),
    "citymap.title": ("{name}: {indicator} by street, day {day}", "{name}：各街镇{indicator}，第 {day} 天"),
    "citymap.district": ("district boundary", "区界"),
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
}

REPORTS: dict[str, tuple[str, str]] = {
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
