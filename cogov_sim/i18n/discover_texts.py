"""The fixed text of scenario discovery and robustness (``dc.`` and ``rb.`` keys), ``key -> (English, 中文)``."""

from __future__ import annotations

DISCOVER: dict[str, tuple[str, str]] = {
    "dc.title": ("Scenario discovery: {name}", "情景发现：{name}"),
    "dc.condition": ("**Condition of interest.** `{where}`", "**关注的条件。** `{where}`"),
    "dc.rows": (
        "{n} runs ({rows}); the condition holds in {k} of them ({share}).",
        "共 {n} 次运行（{rows}）；其中 {k} 次满足条件（{share}）。",
    ),
    "dc.rows.all": ("every finished run", "所有完成的运行"),
    "dc.rows.policy": ("the runs of policy {policy}", "政策 {policy} 的运行"),
    "dc.rows.effects": (
        "the policy runs, each paired with the no-policy run of its future",
        "各政策运行，与同一未来的无政策运行配对",
    ),
    "dc.col.place": ("place", "地点"),
    "dc.col.policy": ("policy", "政策"),
    "dc.inputs": ("Inputs searched: {inputs}.", "搜索的输入：{inputs}。"),
    "dc.answer": ("Answer", "回答"),
    "dc.statement": (
        "In {density} of the runs where {conditions}, {where} holds; these runs are {coverage} of all runs where it"
        " holds ({k} of {total}). They are {mass} of all runs ({n} of {runs}).",
        "在 {conditions} 的运行中，{density} 满足 {where}；这些运行占所有满足该条件运行的 {coverage}（{total} 次中的"
        " {k} 次），占全部运行的 {mass}（{runs} 次中的 {n} 次）。",
    ),
    "dc.statement.none": (
        "PRIM found no restriction that concentrates the runs where {where} holds: it holds in {density} of all"
        " runs whatever the inputs.",
        "PRIM 没有找到能集中满足 {where} 的运行的限制：无论输入如何，{density} 的运行满足该条件。",
    ),
    "dc.and": (" and ", "且"),
    "dc.or": (" or ", "或"),
    "dc.between": ("{name} is between {low} and {high}", "{name} 在 {low} 与 {high} 之间"),
    "dc.at_least": ("{name} is at least {low}", "{name} 不低于 {low}"),
    "dc.at_most": ("{name} is at most {high}", "{name} 不高于 {high}"),
    "dc.is": ("{name} is {values}", "{name} 为 {values}"),
    "dc.rule.density": (
        "Box {id} of the peeling trajectory was chosen: among the boxes with density of at least {min_density} whose"
        " every restriction has a quasi-p value below {max_qp}, the one with the best balance of coverage and"
        " density (their harmonic mean).",
        "选择了剥离轨迹上的第 {id} 个盒子：在密度不低于 {min_density} 且每个限制的准 p 值都低于 {max_qp} 的盒子中，"
        "覆盖率与密度最平衡（二者调和平均数最大）的一个。",
    ),
    "dc.rule.densest": (
        "No box of the peeling trajectory reached a density of {min_density} with every quasi-p value below"
        " {max_qp}; box {id}, the densest, was chosen.",
        "剥离轨迹上没有盒子在每个准 p 值都低于 {max_qp} 的情况下达到 {min_density} 的密度；选择了密度最高的第 {id}"
        " 个盒子。",
    ),
    "dc.prim": ("PRIM: the box", "PRIM：盒子"),
    "dc.box_header": (
        "| input | box | all runs | quasi-p |",
        "| 输入 | 盒子 | 全部运行 | 准 p 值 |",
    ),
    "dc.qp_note": (
        "Quasi-p: a one-sided binomial test of the restriction (Bryant & Lempert 2010), as EMA Workbench reports it;"
        " small values mean the restriction matters.",
        "准 p 值：对该限制的单侧二项检验（Bryant & Lempert 2010），与 EMA Workbench 的报告相同；"
        "值越小，说明该限制越重要。",
    ),
    "dc.trajectory": ("Peeling trajectory", "剥离轨迹"),
    "dc.trajectory_note": (
        "Each point is a box: peeling trades coverage (share of the runs of interest inside the box) for density"
        " (share of the box's runs that are of interest). The full table is trajectory.csv.",
        "每个点是一个盒子：剥离以覆盖率（盒子内关注运行占全部关注运行的比例）换取密度（盒子内运行中关注运行的比例）。"
        "完整表格见 trajectory.csv。",
    ),
    "dc.cart": ("CART: the tree", "CART：分类树"),
    "dc.cart_note": (
        "scikit-learn's decision tree (depth {depth}, leaves of at least {leaf} runs) on the same inputs; its first"
        " split is on {first}. Leaves (density: share of the leaf's runs where the condition holds):",
        "scikit-learn 决策树（深度 {depth}，每片叶子至少 {leaf} 次运行），输入相同；第一次分裂在 {first}。"
        "各叶子（密度：叶子内满足条件的运行比例）：",
    ),
    "dc.cart_none": ("no split (a single leaf)", "无分裂（只有一片叶子）"),
    "dc.leaf_header": (
        "| leaf | rule | runs | of interest | density | coverage |",
        "| 叶子 | 规则 | 运行数 | 关注运行数 | 密度 | 覆盖率 |",
    ),
    "dc.plots": ("Plots", "图"),
    "dc.coverage": ("coverage", "覆盖率"),
    "dc.density": ("density", "密度"),
    "dc.res_dim": ("restricted dimensions", "受限维度数"),
    "dc.chosen": ("chosen box {id}", "选中的盒子 {id}"),
    "dc.box_title": (
        "PRIM box {id}: limits on each restricted input (grey: all runs)",
        "PRIM 盒子 {id}：各受限输入的范围（灰色：全部运行）",
    ),
    "dc.box_range": ("{box} of {full}", "{box}（全部：{full}）"),
    "dc.tree_title": ("CART tree of: {where}", "分类树：{where}"),
    "dc.yes": ("holds", "满足"),
    "dc.no": ("does not hold", "不满足"),
    "rb.title": ("Robustness: {name}", "稳健性：{name}"),
    "rb.question": ("**Question.** {question}", "**问题。** {question}"),
    "rb.setup": (
        "{futures} futures (points of the design over the uncertainties) × {arms} arms (no policy and {policies});"
        " every arm of a future runs with the same seed.",
        "{futures} 个未来（不确定性上的设计点）× {arms} 个方案（无政策与 {policies}）；同一未来的各方案使用相同种子。",
    ),
    "rb.outcome": ("Outcome: {outcome} ({direction}{threshold})", "结果：{outcome}（{direction}{threshold}）"),
    "rb.maximize": ("larger is better", "越大越好"),
    "rb.minimize": ("smaller is better", "越小越好"),
    "rb.threshold": ("; satisficing: {op} {threshold}", "；满意标准：{op} {threshold}"),
    "rb.table_header": (
        "| arm | mean | 10th pct | median | 90th pct | mean regret | max regret | satisficing |",
        "| 方案 | 均值 | 第10百分位 | 中位数 | 第90百分位 | 平均遗憾 | 最大遗憾 | 满意比例 |",
    ),
    "rb.ranks_header": ("| arm | {metrics} |", "| 方案 | {metrics} |"),
    "rb.rank_note": (
        "Ranks by each metric (1 is best): the mean, the 10th percentile (a bad future), the mean and the largest"
        " regret (how far below the best arm of the same future), and the satisficing share.",
        "按各指标排名（1 为最好）：均值、第10百分位（较差的未来）、平均遗憾与最大遗憾（比同一未来中最好的方案差多少）、"
        "满意比例。",
    ),
    "rb.agree": ("All metrics rank **{arm}** first.", "所有指标都把 **{arm}** 排在第一。"),
    "rb.disagree": ("The metrics disagree: {parts}.", "各指标的排名不一致：{parts}。"),
    "rb.first_by": ("{metric} ranks **{arm}** first", "{metric} 排第一的是 **{arm}**"),
    "rb.fails": ("Where each arm fails", "各方案在哪里失败"),
    "rb.fails_none": ("**{arm}** meets the threshold in every future.", "**{arm}** 在每个未来都达到标准。"),
    "rb.fails_all": ("**{arm}** misses the threshold in every future.", "**{arm}** 在每个未来都未达到标准。"),
    "rb.metric.mean": ("mean", "均值"),
    "rb.metric.p10": ("10th percentile", "第10百分位"),
    "rb.metric.mean_regret": ("mean regret", "平均遗憾"),
    "rb.metric.max_regret": ("max regret", "最大遗憾"),
    "rb.metric.satisficing": ("satisficing share", "满意比例"),
    "rb.dist_title": ("{outcome} across the futures, per arm", "各方案在各未来中的 {outcome}"),
    "rb.regret_title": (
        "Regret of {outcome} against the best arm of each future",
        "{outcome} 相对每个未来最佳方案的遗憾",
    ),
    "rb.regret": ("regret", "遗憾"),
    "rb.no_threshold": ("no threshold: no satisficing share", "无标准：不计算满意比例"),
}
"""Texts of ``cogov discover``, ``cogov robust`` and the exploration's robustness report."""
