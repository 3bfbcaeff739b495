"""Tables that fit where they are read: the CLI's compare, fundamentals, summarize and sensitivity tables (and the
TUI's columns), pure functions from results to text.

Rules (issue 16):
- **Fit the width.** Every column has a priority; at a given width the label columns and the most important figures
  (attacker success, time to detection, records) come first, the others are added while they fit, and a line says
  what was left out and how to see it (``--wide``, ``--columns N``). Nothing is wrapped; notes are wrapped to the width.
- **One unit per column**, chosen from the column's values and named in its header; intervals in the same unit.
- **Precision from the interval**: the value and its bounds to the place of the first significant figure of the
  interval's nearer side, never more than three significant figures of the value; a number without an interval gets
  two.
- **Points for share differences** ("pts"), percent for shares.
"""

from __future__ import annotations

import math
import os
import shutil
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from simulator.units import unit_of

GAP = 2
"""Spaces between two columns."""


# ---------------------------------------------------------------------------------------------------------- numbers

def _place(x: float) -> int:
    """The power of ten of ``x``'s leading digit (0 for 0)."""
    return math.floor(math.log10(abs(x))) if x else 0


def decimals(value: float | None, low: float | None = None, high: float | None = None) -> int:
    """Decimal places for ``value`` with its interval [``low``, ``high``]: one significant figure of the interval's
    nearer side (the half-width when the value sits on a bound), at most three significant figures of the value; with
    no interval, two significant figures. Never negative (224,000 is shown whole, in a unit that makes it short)."""
    v = abs(value or 0.0)
    if low is not None and high is not None and high > low:
        sides = [x for x in ((value or 0.0) - low, high - (value or 0.0)) if x > 0]
        d = -_place(min(sides) if sides else (high - low) / 2)
        if v:
            d = min(d, 2 - _place(v))
    else:
        d = 1 - _place(v) if v else 0
    return max(0, d)


def number(x: float, d: int, signed: bool = False) -> str:
    """``x`` to ``d`` decimals, with its sign when ``signed``. Zero has no sign; a number that only rounds to zero
    keeps its side when signed ('-0': an interval that ends just short of zero)."""
    if x == 0:
        return f"{0:.{d}f}"
    text = f"{x:+.{d}f}" if signed else f"{x:.{d}f}"
    return text if signed or float(text) != 0 else text.lstrip("-")


def _snap(x: float) -> float:
    """Floating-point residue (|x| under 1e-9: a paired difference of two equal times taken from different absolute
    times, -3.6e-14) is zero; shown as such, not to fifteen decimals."""
    return 0.0 if abs(x) < 1e-9 else x


def estimate(value: float | None, low: float | None = None, high: float | None = None, *, scale: float = 1.0,
             signed: bool = False, suffix: str = "", few: str = "") -> str:
    """'98% [93-99]', '-66 [-80, -52]' (signed bounds are comma-separated), '3.6 [2.5-7.1]', or the value alone;
    values divided by ``scale``; ``suffix`` after the value ('%'); ``few`` after a value with no interval."""
    if value is None:
        return "-"
    v = _snap(value / scale)
    if low is None or high is None:
        return number(v, decimals(v), signed) + suffix + few
    lo, hi = _snap(low / scale), _snap(high / scale)
    d = decimals(v, lo, hi)
    sep = ", " if signed or lo < 0 else "-"
    return f"{number(v, d, signed)}{suffix} [{number(lo, d, signed)}{sep}{number(hi, d, signed)}]"


def count_unit(values: Sequence[float | None]) -> tuple[str, float]:
    """('', 1), ('k', 1e3) or ('M', 1e6) for counts, from the largest magnitude in the column."""
    top = max((abs(v) for v in values if v is not None), default=0.0)
    if top >= 1e6:
        return "M", 1e6
    if top >= 1e4:
        return "k", 1e3
    return "", 1.0


def time_unit(minutes: Sequence[float | None]) -> tuple[str, float]:
    """One unit (s, min, h, d) for a column of durations in minutes: the unit of its median magnitude, or a larger
    one if the largest would need four digits."""
    known = sorted(abs(m) for m in minutes if m)  # zeros (no effect) say nothing about the scale
    if not known:
        return "h", 60.0
    unit, size = unit_of(known[len(known) // 2])
    sizes = {"s": 1 / 60, "min": 1.0, "h": 60.0, "d": 1440.0}
    order = list(sizes)
    while known[-1] / size >= 1000 and unit != "d":  # the largest stays under four digits
        unit = order[order.index(unit) + 1]
        size = sizes[unit]
    return unit, size


# ----------------------------------------------------------------------------------------------------------- layout

@dataclass
class Column:
    """One column: a header (lines split on '\\n'), its cells, and how important it is (0: always shown)."""

    header: str
    cells: list[str]
    priority: int = 0
    align: str = "left"
    name: str = ""
    """What the 'not shown' line calls it (default: the header on one line)."""

    @property
    def lines(self) -> list[str]:
        return self.header.split("\n")

    @property
    def width(self) -> int:
        return max([len(h) for h in self.lines] + [len(c) for c in self.cells])

    @property
    def title(self) -> str:
        return self.name or " ".join(h for h in self.lines if h).strip()


def terminal_width(columns: int | None = None) -> int:
    """The width to fit: ``--columns``, else $COLUMNS, else the terminal's (80 when not a terminal)."""
    if columns:
        return columns
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return shutil.get_terminal_size((80, 24)).columns


def fit(columns: Sequence[Column], width: int | None) -> tuple[list[Column], list[Column]]:
    """(shown, left out): priority-0 columns always, then by priority while they fit in ``width`` (None: all)."""
    if width is None:
        return list(columns), []
    keep = {id(c) for c in columns if c.priority == 0}
    used = sum(c.width for c in columns if c.priority == 0) + GAP * (len(keep) - 1)
    for c in sorted((c for c in columns if c.priority), key=lambda c: c.priority):
        if used + GAP + c.width <= width:
            keep.add(id(c))
            used += GAP + c.width
    return [c for c in columns if id(c) in keep], [c for c in columns if id(c) not in keep]


def grid(columns: Sequence[Column]) -> list[str]:
    """The header lines, a rule and the rows, columns padded to their widths, trailing spaces removed."""
    if not columns:
        return []
    depth = max(len(c.lines) for c in columns)
    widths = [c.width for c in columns]

    def line(cells: Sequence[str]) -> str:
        return (" " * GAP).join(s.rjust(w) if c.align == "right" else s.ljust(w)
                                for s, w, c in zip(cells, widths, columns, strict=True)).rstrip()

    head = [line([([""] * (depth - len(c.lines)) + c.lines)[i] for c in columns]) for i in range(depth)]
    rule = "-" * (sum(widths) + GAP * (len(widths) - 1))
    rows = [line([c.cells[i] for c in columns]) for i in range(len(columns[0].cells))]
    return [*head, rule, *rows]


def wrap(text: str, width: int) -> list[str]:
    """A paragraph wrapped to ``width`` (at least 40)."""
    return textwrap.wrap(text, max(40, width), break_on_hyphens=False) or [""]


def table(title: str, notes: Sequence[str], columns: Sequence[Column], width: int | None, after: Sequence[str] = (),
          wide: bool = False) -> str:
    """Title and notes (wrapped), the table fitted to ``width`` (all columns when ``wide``), a line naming the
    columns left out, then ``after`` (wrapped)."""
    w = width or 80
    shown, hidden = fit(columns, None if wide else w)
    out: list[str] = []
    for para in (title, *notes):
        out += wrap(para, w)
    out += ["", *grid(shown)]
    if hidden:
        out += [""] + wrap(f"Not shown at {w} columns: {', '.join(c.title for c in hidden)} (--wide shows every "
                           "column; --columns N sets the width).", w)
    if after:
        out.append("")
        for para in after:
            out += wrap(para, w)
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------------ comparisons

FEW = "(n={n})"
"""After a median resting on too few runs for an interval."""


def _few(e: Any) -> str:
    return " " + FEW.format(n=e.n) if e.value is not None and e.low is None else ""


def _share(e: Any) -> str:
    return estimate(None if e.value is None else e.value * 100, None if e.low is None else e.low * 100,
                    None if e.high is None else e.high * 100, suffix="%")


def _time(e: Any, size: float) -> str:
    return estimate(e.value, e.low, e.high, scale=size, few=_few(e))


def _dwell(s: Any, size: float) -> str:
    e = s.dwell_time
    if e.n == 0:
        return "-"
    if e.value is None:
        return "-" if s.undetected is None else f"- ({s.undetected.value:.0%} undet.)"
    if e.low is not None and e.high is None:  # so many runs undetected that the interval's top is past the horizon
        v, lo = e.value / size, e.low / size
        d = decimals(v, lo)
        return f"{number(v, d)} [{number(lo, d)}+]"
    if e.low is None or e.high is None:
        detected = e.n - round((s.undetected.value or 0.0) * e.n) if s.undetected is not None else e.n
        return estimate(e.value, scale=size) + f" (n={detected})"
    return estimate(e.value, e.low, e.high, scale=size)


def marks(summaries: Sequence[Any]) -> list[str]:
    """'best' / 'worst' by attacker success as shown (rows that read the same get the same mark)."""
    shown = [_share(s.success).split("%")[0] for s in summaries]
    values = [float(v) if v not in ("-", "") else None for v in shown]
    known = [v for v in values if v is not None]
    if len(summaries) < 2 or not known or min(known) == max(known):
        return [""] * len(summaries)
    lo, hi = min(known), max(known)
    return ["best" if v == lo else "worst" if v == hi else "" for v in values]


def label_columns(summaries: Sequence[Any]) -> list[Column]:
    """The columns that name each cell (automation, posture, or a sweep's --by columns), always shown."""
    by = [k for k, _ in summaries[0].label] if summaries else []
    return [Column(short_path(k), [str(dict(s.label)[k]) for s in summaries], 0, name=k) for k in by]


def comparison_columns(summaries: Sequence[Any], losses: Sequence[Any] | None = None) -> list[Column]:
    """The comparison's columns in reading order: the label columns, then the figures with their units; priorities
    put attacker success, time to detection, records and the best/worst mark first. ``losses``: each cell's
    ``simulator.loss.LossEstimate`` when the scenario has a loss model (a money column after records)."""
    cols = label_columns(summaries)

    def timed(attr: str, header: str, priority: int, name: str) -> Column:
        unit, size = time_unit([getattr(s, attr).value for s in summaries])
        return Column(f"{header} ({unit})", [_time(getattr(s, attr), size) for s in summaries], priority, name=name)

    dwell_unit, dwell_size = time_unit([s.dwell_time.value for s in summaries])
    rec_unit, rec_size = count_unit([s.records_exfiltrated for s in summaries])
    cols += [
        Column("attacker\nsuccess", [_share(s.success) for s in summaries], 1, name="attacker success"),
        timed("time_to_objective", "time to\nobjective", 5, "time to objective"),
        timed("time_to_detection", "time to\ndetection", 2, "time to detection"),
        timed("time_to_containment", "time to\ncontain", 6, "time to contain"),
        Column(f"dwell\n({dwell_unit})", [_dwell(s, dwell_size) for s in summaries], 8, name="dwell"),
        Column("\ncontained", [_share(s.contained) for s in summaries], 7, name="contained"),
        Column("hosts\n(mean)", [estimate(s.hosts_compromised) for s in summaries], 9, "right", name="hosts"),
        Column(f"records\n({rec_unit + ', ' if rec_unit else ''}mean)",
               [estimate(s.records_exfiltrated, scale=rec_size) for s in summaries], 3, "right", name="records"),
        *([Column("downtime\n(h, mean)", [estimate(s.downtime_hours) for s in summaries], 3, "right",
                  name="downtime")] if any(s.downtime_hours for s in summaries) else []),
        *[Column(f"objective\n{k + 1} met", [_share(s.objectives[k]) if len(s.objectives) > k else "-"
                                               for s in summaries], 4, name=f"objective {k + 1}")
          for k in range(max((len(s.objectives) for s in summaries), default=0))],
        *([Column("process\ndown (h)", [estimate(s.process_hours_disrupted) for s in summaries], 3, "right",
                  name="process down")] if any(s.process_hours_disrupted for s in summaries) else []),
        *([_loss_column(losses)] if losses and any(e is not None for e in losses) else []),
        Column("AI\nshare", ["-" if s.ai_share is None else f"{s.ai_share:.0%}" for s in summaries], 10, "right",
               name="AI share"),
        Column("gates\n(mean)", [estimate(s.decision_points) for s in summaries], 11, "right", name="gates"),
        Column("", marks(summaries), 4, name="best/worst"),
    ]
    return cols


COMPARE_NOTES = ("Shares: % of runs [Wilson 95% interval]. Times: median over the runs where it happened [95% "
                 "interval], from the campaign start, in the column's unit; (n=K): a median of K runs, too few for "
                 "an interval. Dwell: Kaplan-Meier median from initial access, runs never detected counted as "
                 "censored at the horizon; [L+]: the interval's top lies past the horizon (too many runs never "
                 "detected to bound it); '- (X% undet.)': over half never detected, so no median.")
COMPARE_AFTER = ("best/worst: lowest/highest attacker success as shown. hosts, records: means per run. AI share: "
                 "tactical actions done by AI. gates: mean human decision points.")


def _loss_column(losses: Sequence[Any]) -> Column:
    from simulator.loss import money

    cur = next(e.currency for e in losses if e is not None)

    def cell(e: Any) -> str:
        if e is None:
            return "-"
        short = [money(x, cur).rsplit(" ", 1)[0] for x in (e.mean, e.low, e.high, e.p90)]
        return f"{short[0]} [{short[1]}-{short[2]}] P90 {short[3]}"

    return Column(f"loss ({cur},\nmean, P90)", [cell(e) for e in losses], 4, "right", name="loss")


LOSS_AFTER = ("loss: the scenario's loss model (FAIR-style ranges per record, per host-hour out of service, per hour "
              "of egress blocked, per isolation, per credential reset, per hour an OT process is down) applied to each "
              "run on common prices: mean "
              "per run [95% interval], and the 90th percentile run.")


def compare_table(title: str, summaries: Sequence[Any], width: int | None = 80, wide: bool = False,
                  losses: Sequence[Any] | None = None) -> str:
    """The comparison (``tabletop compare``, ``tabletop summarize``) fitted to ``width``."""
    after = [COMPARE_AFTER, LOSS_AFTER] if losses and any(e is not None for e in losses) else [COMPARE_AFTER]
    return table(title, [COMPARE_NOTES], comparison_columns(summaries, losses), width, after, wide)


RESPONSE_TITLE = "What the response cost, means per run, and how the runs ended, % of runs:"
RESPONSE_AFTER = ("isolated: isolations by the response or the SOC's automation (a host isolated again counts "
                  "again), of them clean: the attacker was not on the host when it was isolated; host-hours: hours "
                  "out of service, all and clean; egress: hours outbound transfers were blocked; resets: credentials "
                  "reset.")
ENDED_AFTER = ("Ended: with the objective met; evicted (the attacker had got in, held no host any more and had no way "
               "back in left); kept out (it never got in and had no way in left); or at the horizon.")


def response_table(summaries: Sequence[Any], width: int | None = 80, wide: bool = False) -> str:
    """Each cell's response costs and end reasons (``tabletop compare``, ``tabletop summarize``): what containing
    the attacker cost the business, and why its runs stopped."""
    cols = label_columns(summaries)

    def cost(key: str, header: str, priority: int, name: str, form: str = "{:,.1f}") -> Column:
        return Column(header, [form.format(s.response.get(key, 0.0)) for s in summaries], priority, "right",
                      name=name)

    cols += [cost("hosts_isolated", "\nisolated", 1, "isolated"),
             cost("clean_hosts_isolated", "of them\nclean", 2, "of them clean"),
             cost("isolated_host_hours", "host-\nhours", 3, "host-hours", "{:,.0f}"),
             cost("clean_isolated_host_hours", "clean\nh-hours", 8, "clean host-hours", "{:,.0f}"),
             cost("egress_blocked_hours", "egress\n(h)", 6, "egress", "{:,.0f}"),
             cost("credentials_reset", "\nresets", 4, "resets")]
    for key, header, priority in (("objective_met", "ended:\nobjective", 7), ("evicted", "ended:\nevicted", 5),
                                  ("no_path_left", "\nkept out", 5), ("horizon", "\nhorizon", 9)):
        cols.append(Column(header, [f"{s.ended.get(key, 0.0):.0%}" for s in summaries], priority, "right",
                           name=f"ended: {header.split(chr(10))[-1]}"))
    return table(RESPONSE_TITLE, [], cols, width, [f"{RESPONSE_AFTER} {ENDED_AFTER}"], wide)


def short_path(path: str) -> str:
    """A sweep column's header on two lines: 'posture.patching.days_to_patch.critical' -> 'days_to_patch\ncritical'
    ('automation' stays as it is)."""
    parts = path.split(".")
    return "\n".join(parts[-2:]) if len(parts) > 1 else path


# ----------------------------------------------------------------------------------------------------- fundamentals

def _diff(d: Any, scale: float) -> str:
    return estimate(d.mean, d.low, d.high, scale=scale, signed=True)


def change_name(c: Any) -> str:
    """'patching' for a control's upgrade, 'to autonomous' for an automation change (from the level every jump starts
    from), 'soc: ai-triage' for a setting ('soc automation: ai-triage')."""
    if c.kind == "automation":
        return "to " + c.name.split(" -> ")[-1]
    if ": " in c.name:
        head, tail = c.name.split(": ", 1)
        return f"{head.split()[0]}: {tail}"
    return c.name.split(" -> ")[0]


def fundamentals_columns(changes: Sequence[Any]) -> list[Column]:
    """Rank, change, then the paired effects: points, one time unit, one count unit."""
    unit, size = time_unit([c.detection.mean for c in changes if c.detection.n])
    runit, rsize = count_unit([c.data_lost.mean for c in changes] + [c.data_lost.low for c in changes])
    return [
        Column("\n#", [str(i) for i in range(1, len(changes) + 1)], 9, "right", name="rank"),
        Column("\nchange", [change_name(c) for c in changes], 0),
        Column("attacker\nsuccess (pts)", [_diff(c.success, 0.01) for c in changes], 1, name="attacker success"),
        Column(f"time to\ndetection ({unit})",
               [_diff(c.detection, size) if c.detection.n else "- (never in both)" for c in changes], 2,
               name="time to detection"),
        Column(f"records\nlost{f' ({runit})' if runit else ''}", [_diff(c.data_lost, rsize) for c in changes], 3,
               name="records lost"),
    ]


def fundamentals_table(scenario: str, changes: Sequence[Any], base: str, attacker: str, runs: int, seed: int,
                       sentence: str, width: int | None = 80, wide: bool = False) -> str:
    """The ranked changes with their paired effects, and the computed verdict, fitted to ``width``."""
    title = (f"{scenario}: fundamentals from the '{base}' posture, {runs} runs per cell on common seeds (root seed "
             f"{seed}).")
    upgrade = next((c.name.split(" -> ")[-1] for c in changes if c.kind == "control" and " -> " in c.name),
                   "hardened")
    low = next((c.name.removeprefix("attacker ").split(" -> ")[0] for c in changes if c.kind == "automation"),
               "manual")
    notes = [f"A control (patching, ...): that control alone upgraded to its '{upgrade}' setting, against the "
             f"'{attacker}' attacker. 'to L': the attacker moved from '{low}' to level L, against '{base}'.",
             "Effects: mean paired difference (changed - base) [95% interval]; attacker success in points. Time to "
             "detection: from initial access, over the runs where the attacker got in in both cells (an undetected "
             "intrusion counts to the horizon)."]
    return table(title, notes, fundamentals_columns(changes), width, [sentence], wide)


# ------------------------------------------------------------------------------------------------------ sensitivity

def factor_name(path: str) -> str:
    """A sensitivity factor as the tables show it: 'posture.soc.analysts' -> 'soc.analysts'."""
    return path.removeprefix("posture.")


def sensitivity_columns(rows: Sequence[Any], output: str) -> list[Column]:
    """One output's ranked effects: factor, effect [95%] in points or one time unit (effects in hours), levels, n,
    and Morris's sigma in the effect's unit."""
    factor = 1.0
    head = "effect (pts)"
    if output.startswith("time"):
        unit, size = time_unit([e.effect * 60 for e in rows])
        factor, head = 60 / size, f"effect ({unit})"
    cols = [
        Column("\n#", [str(i) for i in range(1, len(rows) + 1)], 9, "right", name="rank"),
        Column("\nfactor", [factor_name(e.factor) for e in rows], 0),
        Column(f"{head}\n[95% interval]", [estimate(e.effect * factor, e.ci_low * factor, e.ci_high * factor,
                                                     signed=True) for e in rows], 1, name="effect"),
        Column("\nlow -> high", [e.levels for e in rows], 2, name="levels"),
        Column("\nn", [str(e.n) for e in rows], 3, "right"),
    ]
    if any(e.spread is not None for e in rows):
        cols.append(Column("\nsigma", ["-" if e.spread is None else estimate(e.spread * factor) for e in rows], 4,
                           "right"))
    return cols


def sensitivity_table(effects: Sequence[Any], title: str, note: str, width: int | None = 80, wide: bool = False,
                      k: int = 5) -> str:
    """Two ranked tables, one per output (attacker success in points, time to detection in one time unit), fitted
    to ``width``."""
    from simulator.sensitivity import OUTPUTS, rank, top_sentence

    w = width or 80
    out: list[str] = []
    for para in (title, note):
        out += wrap(para, w)
    left: list[str] = []
    for name in OUTPUTS:
        rows = [e for e in rank(effects) if e.output == name]
        label = "attacker success (points)" if name == OUTPUTS[0] else "time to detection (from initial access)"
        cols = sensitivity_columns(rows, name)
        shown, hidden = fit(cols, None if wide else w)
        left += [c.title for c in hidden if c.title not in left]
        out += ["", f"{label}, high level minus low level:", *grid(shown)]
        if name == OUTPUTS[0] and len(rows) > k:
            out += wrap(top_sentence(effects, k, factor_name, limit=6), w)
    if left:
        out += [""] + wrap(f"Not shown at {w} columns: {', '.join(left)} (--wide shows every column; --columns N sets "
                           "the width).", w)
    return "\n".join(out)
