"""The SOC: alerts queue for analysts; benign alerts compete with true ones for the same analysts.

High-confidence alerts (rate anomaly, honeytoken, large transfer) are triaged first; low-confidence true positives wait
in line with the benign alerts, first come first served (alert fatigue). An alert older than ``max_alert_age_hours``
when an analyst reaches it is auto-closed untriaged. A business-hours SOC starts nothing off shift (an alert in hand is
finished). A recognised true positive escalates.

The queue is kept here as a priority queue in front of the analysts' next-free times, not as a simpy process per
alert: benign alerts are most of a run's events (about 2,900 in a 30-day run at 4 per hour). Benign alerts are discrete
events of the SOC's own, brought in lazily and in time order (``catch_up``) whenever something needs the SOC as it is
now: a true alert arrives, the engine writes to the timeline or the log, the run ends. Before each alert joins the
queue, every alert an analyst could have taken since the previous event starts; that gives the same order as a simpy
PriorityResource, since nothing joins the queue between two events. True alerts keep exact times: while one waits the
SOC is woken (a simpy timeout) when an analyst can next take the queue's head, and its triage ends on a simpy timeout.
tests/test_soc.py checks all this against a textbook simpy PriorityResource model.

``catch_up``'s loop (and ``_dispatch`` while the queue's head is benign) has a compiled twin, ``defenses/_socfast.c``,
used while no high-confidence alert waits; this Python loop stays and gives the same results bit for bit (without a
compiler, or with TABLETOP_PURE_PYTHON set, it does all the work; tests/test_soc.py runs both).
"""

from __future__ import annotations

import heapq
import math
import os
from collections import deque
from typing import Literal

from pydantic import Field, model_validator

from defenses.base import Alert, Control, ControlConfig
from defenses.calendar import Calendar, Weekday

U_SOC_STREAM = 101
U_BENIGN_STREAM = 102
U_AI_STREAM = 103
"""The SOC automation's own draws (its first pass, its false isolations): common random numbers with a SOC without
it, whose draws it never takes."""
try:
    from defenses._socfast import run as _fast
except ImportError:  # not built (or TABLETOP_PURE_PYTHON set below): the pure-Python loop does all the work
    _fast = None
if os.environ.get("TABLETOP_PURE_PYTHON"):
    _fast = None
BENIGN_BATCH = 256
"""Benign arrivals drawn at a time (fixed, so the draws do not depend on how far a run goes)."""


class Soc(Control):
    """Per-run SOC."""

    def start(self) -> None:
        cfg: SocConfig = self.config
        ctx = self.ctx
        self.rng = ctx.substream(U_SOC_STREAM)
        """True alerts' triage times and recognition (benign alerts draw from a stream of their own)."""
        self.benign_alerts = 0
        self.dropped = 0
        self.busy_minutes = 0.0
        self.calendar = cfg.calendar(ctx.net.defender_utc_offset).schedule
        self._backlog = False
        self.free: list[float] = [0.0] * cfg.analysts
        """When each analyst is next free (a heap)."""
        self.high: deque[tuple[float, float, Alert | None]] = deque()
        self.low: deque[tuple[float, float, Alert | None]] = deque()
        """Waiting alerts, oldest first: (arrival, triage minutes or -1 if not drawn yet, the true alert or None)."""
        self._pending: list[float] = []
        self._ph = 0
        """Start times, still ahead when they were placed, of benign alerts placed without queueing (catch_up): those
        from index ``_ph`` on may still be ahead."""
        self._true_waiting = 0
        self._wake_at: float | None = None
        self._max_age = cfg.max_alert_age_hours * 60
        ai = cfg.automation != "none"
        self.ai_closed = self.ai_missed = self.auto_isolations = self.false_isolations = 0
        self._ai_rng = ctx.substream(U_AI_STREAM) if ai else None
        self._log_triage = math.log(cfg.triage_minutes / (cfg.ai_triage_speedup if ai else 1.0))
        self._benign_rate = cfg.benign_per_hour * ((1.0 - cfg.ai_closes_benign) if ai else 1.0)
        """Benign alerts reaching an analyst per hour (the AI first pass closes its share before; thinning a Poisson
        stream keeps it Poisson)."""
        if cfg.automation == "ai-response" and cfg.false_isolations_per_week > 0:
            ctx.env.process(self._false_isolations())
        if cfg.analysts > 0 and self._benign_rate > 0:
            import numpy as np  # a run's seeds already need numpy; kept local so defenses import without it

            self._benign_rng = np.random.default_rng(ctx.stream_seed(U_BENIGN_STREAM))
            self._gaps: list[float] = []
            self._minutes: list[float] = []
            self._next_benign = self._gap()
        else:
            self._next_benign = math.inf
        self._catching_up = False

    # ---- benign alerts ----------------------------------------------------------------------------------------

    def _gap(self) -> float:
        """Minutes to the next benign alert (draws come in fixed batches: the same whatever the run's length)."""
        if not self._gaps:
            cfg: SocConfig = self.config
            rng = self._benign_rng
            self._gaps.extend(rng.exponential(60.0 / self._benign_rate, BENIGN_BATCH).tolist()[::-1])
            self._minutes.extend(rng.lognormal(self._log_triage, cfg.triage_spread, BENIGN_BATCH).tolist()[::-1])
        return self._gaps.pop()

    def catch_up(self, now: float) -> None:
        """Bring in, in time order, every benign alert that arrived up to ``now``. Each one is a discrete event of the
        SOC's own. While no alert waits in the queue, an arrival is placed at once: first come first served, it
        starts when the first analyst is free (on shift); if that is at or before ``now``, nothing can still jump
        ahead of it, so it is started (or, too old by then, dropped) without queueing. Otherwise it joins the queue,
        and every alert an analyst could have taken since the previous event starts before it joins."""
        if self._next_benign > now or self._catching_up:
            return
        self._catching_up = True  # a backlog record below writes to the log, which calls back here
        high, low, free, gaps, pending = self.high, self.low, self.free, self._gaps, self._pending
        take_minutes, next_gap, replace = self._minutes.pop, gaps.pop, heapq.heapreplace
        cal = self.calendar
        always = cal.always
        max_age = self._max_age
        crowd = 2 * len(free) + 1
        t = self._next_benign
        ph = self._ph
        arrived = dropped = 0
        busy = 0.0
        hold = -math.inf  # the queue's head cannot start before this (nothing else changes it within this loop)
        fast = _fast
        window = None if always else cal.windows
        while t <= now:
            if fast is not None and not high:
                # the compiled twin of this loop (and of _dispatch while the queue's head is benign): _socfast.c
                (t, ph, n, d, dd, busy, self.busy_minutes, hold, backlog, stop, watch_at, placed) = fast(
                    t, now, free, gaps, self._minutes, pending, ph, max_age, crowd, self._backlog, busy, low, hold,
                    self.busy_minutes, window)
                arrived += n
                dropped += d
                self.dropped += dd
                self._backlog = bool(backlog)
                if stop == 2:
                    self._watch_backlog(watch_at, placed)
                if stop != 1:
                    continue
            arrived += 1
            minutes = take_minutes()
            if (high or low) and t >= hold:
                hold = self._dispatch(t)
            while ph < len(pending) and pending[ph] <= t:  # placed alerts still waiting at t (starts in order)
                ph += 1
            if not (high or low):
                start = free[0]
                if start < t:
                    start = t
                if not always:
                    start = cal.next_on_shift(start)
                if start == t:  # an analyst is free: taken at once (the common case)
                    replace(free, t + minutes)
                    busy += minutes if always else self._on_shift_part(t, minutes)
                    self._backlog = False
                    t += next_gap() if gaps else self._gap()
                    continue
                if start <= now:  # waits, but its start is known: nothing can overtake it any more
                    if start - t > max_age:
                        dropped += 1  # auto-closed untriaged when reached: takes no analyst time
                    else:
                        replace(free, start + minutes)
                        busy += minutes if always else self._on_shift_part(start, minutes)
                    pending.append(start)
                    if not self._backlog and len(pending) - ph >= crowd:
                        self._watch_backlog(t, len(pending) - ph)
                    t += next_gap() if gaps else self._gap()
                    continue
            if not (high or low):
                hold = -math.inf  # this alert becomes the queue's head
            low.append((t, minutes, None))
            if not self._backlog and len(pending) - ph + len(high) + len(low) >= crowd:
                self._watch_backlog(t, len(pending) - ph)
            t += next_gap() if gaps else self._gap()
        if ph > 256:  # drop the placed alerts already started
            del pending[:ph]
            ph = 0
        self._ph = ph
        self.benign_alerts += arrived
        self.dropped += dropped
        self.busy_minutes += busy
        self._next_benign = t
        self._catching_up = False

    # ---- the queue ---------------------------------------------------------------------------------------------

    def _dispatch(self, now: float) -> float:
        """Start, in order, every waiting alert an analyst could take at or before ``now``. Returns when the
        queue's head can start (-inf if the queue is empty): until the head or the analysts change, a later call
        before then starts nothing."""
        free, cal, high, low = self.free, self.calendar, self.high, self.low
        always = cal.always
        while high or low:
            queue = high or low
            arrival, minutes, alert = queue[0]
            start = free[0] if free[0] > arrival else arrival
            if not always:
                start = cal.next_on_shift(start)
            if start > now:
                return start
            queue.popleft()
            if alert is not None:
                self._true_waiting -= 1
            if start - arrival > self._max_age:
                self.dropped += 1  # auto-closed untriaged: takes no analyst time
                if alert is not None and alert.true_positive:
                    self.ctx.busy(-1)
                continue
            if alert is not None:
                minutes = self.rng.lognormvariate(self._log_triage, self.config.triage_spread)
                done = self.ctx.env.timeout(max(0.0, start + minutes - now), alert)
                done.callbacks.append(self._triaged)
            heapq.heapreplace(free, start + minutes)
            self.busy_minutes += minutes if always else self._on_shift_part(start, minutes)
        return -math.inf

    def _on_shift_part(self, start: float, minutes: float) -> float:
        """The minutes of a triage started at ``start`` that fall in the shift (an alert in hand at the end of a
        shift is finished after it: that overtime is not counted in utilisation, which is per on-shift minute)."""
        cal = self.calendar
        return minutes if cal.always else min(minutes, cal.next_off_shift(start) - start)

    def _wake_for_true_alerts(self) -> None:
        """While a true alert waits, be woken when an analyst can next take the queue's head."""
        if not self._true_waiting:
            return
        now = self.ctx.env.now
        arrival = (self.high or self.low)[0][0]
        at = self.calendar.next_on_shift(max(self.free[0], arrival))
        if at > now and at != self._wake_at:
            self._wake_at = at
            self.ctx.env.timeout(at - now).callbacks.append(self._wake)

    def _wake(self, _event) -> None:
        self._wake_at = None
        now = self.ctx.env.now
        self.catch_up(now)
        self._dispatch(now)
        self._wake_for_true_alerts()

    def _triaged(self, event) -> None:
        alert: Alert = event.value
        cfg: SocConfig = self.config
        if alert.true_positive:
            p = cfg.recognition_high if alert.confidence == "high" else cfg.recognition
            if self.rng.random() < p:
                self.ctx.escalate(alert)
            self.ctx.busy(-1)

    # ---- the SOC's own automation ------------------------------------------------------------------------------

    def _first_pass(self, alert: Alert) -> bool:
        """The AI first pass on a true alert: False when it closes it (a miss). With ``ai-response`` a
        high-confidence alert it keeps isolates, after ``auto_isolate_minutes``, the own hosts it shows the attacker
        on (never a host on an alert from outside alone, nor the hosts a decoy used was planted on: that takes the
        response's scoping), for ``auto_isolate_hours``."""
        cfg: SocConfig = self.config
        if self._ai_rng.random() < cfg.ai_misses_true:
            self.ai_missed += 1
            return False
        if cfg.automation == "ai-response" and alert.confidence == "high":
            hosts = set(alert.evidence_hosts(planted=False)) - self.ctx.belief.contained_hosts
            if hosts:
                self.ctx.env.process(self._auto_isolate(hosts))
        return True

    def _auto_isolate(self, hosts: set[int]):
        cfg: SocConfig = self.config
        ctx = self.ctx
        yield ctx.env.timeout(cfg.auto_isolate_minutes)
        hosts = hosts - ctx.belief.contained_hosts
        if hosts:
            self.auto_isolations += len(hosts)
            ctx.belief.known_hosts.update(hosts)
            # a network isolation, not an eradication: released as it was unless incident response takes it over
            ctx.contain(hosts, set(), False, until=ctx.env.now + cfg.auto_isolate_hours * 60, eradicate=False)

    def _false_isolations(self):
        """Automatic isolations on benign high-confidence alerts: clean hosts (by the automation's belief) taken out
        of service for ``auto_isolate_hours``, at ``false_isolations_per_week``."""
        cfg: SocConfig = self.config
        ctx = self.ctx
        rng = ctx.substream(U_AI_STREAM + 1000)
        n = len(ctx.net.hosts)
        mean_gap = 7 * 1440 / cfg.false_isolations_per_week
        while True:
            yield ctx.env.timeout(rng.expovariate(1.0 / mean_gap))
            h = int(rng.random() * n)
            if h in ctx.belief.contained_hosts or h in ctx.owned:
                continue  # a false positive is on a host the attacker is not on (a benign alert)
            self.false_isolations += 1
            ctx.contain({h}, set(), False, until=ctx.env.now + cfg.auto_isolate_hours * 60, false_alarm=True,
                        eradicate=False)

    def on_alert(self, alert: Alert) -> None:
        if self._ai_rng is not None and alert.true_positive and not self._first_pass(alert):
            return  # closed by the AI first pass: no analyst sees it
        if not self.free:
            return  # nobody triages (the automation above acts without analysts)
        ctx = self.ctx
        now = ctx.env.now
        if alert.true_positive:
            ctx.busy(+1)  # counted now, so the run cannot end while the alert is in the queue
        self.catch_up(now)
        self._dispatch(now)
        (self.high if alert.confidence == "high" else self.low).append((alert.time, -1.0, alert))
        self._true_waiting += 1
        self._dispatch(now)
        self._watch_backlog(now)
        self._wake_for_true_alerts()

    def _watch_backlog(self, now: float, placed: int = 0) -> None:
        """Log when the queue backs up (more than two alerts waiting per analyst), once per backlog. ``placed``:
        alerts waiting at ``now`` that catch_up placed without queueing."""
        waiting = len(self.high) + len(self.low) + placed
        if waiting >= 2 * self.config.analysts + 1:
            if not self._backlog:
                self._backlog = True
                self.ctx.record("soc-backlog", f"{waiting} alerts waiting for {self.config.analysts} analysts",
                                at=now)
        elif waiting == 0:
            self._backlog = False

    def metrics(self) -> dict[str, float | int | None]:
        now = self.ctx.env.now
        utilisation = None
        if self.free:
            self.catch_up(now)
            self._dispatch(now)
            cal = self.calendar
            available = self.config.analysts * cal.work_between(0.0, now)
            # triage in hand at the end runs past it: count only the minutes up to now
            off = cal.next_off_shift(now) if cal.next_on_shift(now) == now else now
            busy = self.busy_minutes - sum(min(f, off) - now for f in self.free if f > now)
            utilisation = round(busy / available, 6) if available > 0 else None
        out = {"alerts_benign": self.benign_alerts, "alerts_dropped": self.dropped, "analyst_utilisation": utilisation}
        if self._ai_rng is not None:
            out.update(alerts_ai_missed=self.ai_missed, auto_isolations=self.auto_isolations,
                       false_isolations=self.false_isolations)
        return out


BENIGN_OVER_CAPACITY = 100
"""Most benign alerts an hour, as a multiple of what the analysts can triage in an hour."""


class SocConfig(ControlConfig):
    """Security operations centre."""

    analysts: int = Field(ge=0, le=1000)
    """Analysts on shift (0: nobody triages alerts)."""
    hours: Literal["24/7", "business"] = "24/7"
    """Around the clock, or business hours in the defender's time zone."""
    shift_start: float = Field(8.0, ge=0, lt=24)
    """Local hour a business-hours shift starts."""
    shift_end: float = Field(18.0, ge=0, le=24)
    """Local hour it ends."""
    workdays: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    """Business days."""
    triage_minutes: float = Field(gt=0, le=10_000)
    """Median minutes an analyst spends on one alert."""
    triage_spread: float = Field(0.6, ge=0, le=3)
    """Log-normal sigma of triage time."""
    benign_per_hour: float = Field(ge=0, le=1_000)
    """False-positive alerts per hour competing for the same analysts (at most 100 times what the analysts can
    triage: past that, 99% of them would never be seen by anyone, and each run would spend its time on them)."""
    recognition: float = Field(ge=0, le=1)
    """Chance an analyst recognises a low-confidence true positive."""
    recognition_high: float = Field(ge=0, le=1)
    """Chance for a high-confidence one (rate anomaly, honeytoken, large transfer)."""
    max_alert_age_hours: float = Field(24.0, gt=0, le=24 * 365)
    """Alerts older than this when reached are auto-closed untriaged."""
    automation: Literal["none", "ai-triage", "ai-response"] = "none"
    """The SOC's own automation, the defender's mirror of the attacker's dial: 'ai-triage' puts an AI first pass in
    front of the analysts (it closes a share of benign alerts, misses a share of true ones, and speeds the analysts'
    triage); 'ai-response' adds automatic isolation of the hosts a high-confidence alert shows, with false
    isolations of clean hosts. Every figure below is an assumption (no independent measurement is published)."""
    ai_closes_benign: float = Field(0.5, ge=0, le=1)
    """Share of benign alerts the AI first pass closes before an analyst sees them (assumption)."""
    ai_misses_true: float = Field(0.1, ge=0, le=1)
    """Share of true alerts the AI first pass wrongly closes, high- and low-confidence alike (assumption)."""
    ai_triage_speedup: float = Field(1.5, ge=1, le=10)
    """An analyst triages this many times faster with the AI's summary of the alert (assumption)."""
    auto_isolate_minutes: float = Field(5.0, ge=0, le=24 * 60)
    """ai-response: minutes from a high-confidence alert to the automatic isolation (assumption)."""
    auto_isolate_hours: float = Field(24.0, gt=0, le=24 * 365)
    """ai-response: how long an automatic isolation lasts before the host comes back (assumption: a day until an
    analyst has reviewed and released or rebuilt it)."""
    false_isolations_per_week: float = Field(1.0, ge=0, le=1000)
    """ai-response: clean hosts the automation isolates on benign high-confidence alerts, per week (assumption)."""

    behaviour_class = Soc

    @model_validator(mode="after")
    def _can_run(self) -> SocConfig:
        """Configurations that can never run are refused here, so 'validate' says so rather than 'run' failing."""
        if self.hours == "business":
            if self.shift_start == self.shift_end:
                raise ValueError(f"hours: business with shift_start equal to shift_end ({self.shift_start:g}): the SOC "
                                 "would never be at work; give it hours, or use hours: 24/7")
            if not self.workdays:
                raise ValueError("hours: business with no workdays: the SOC would never be at work")
        if self.analysts > 0 and self.benign_per_hour > 0:
            capacity = self.analysts * 60 / self.triage_minutes
            if self.benign_per_hour > BENIGN_OVER_CAPACITY * capacity:
                raise ValueError(f"benign_per_hour: {self.benign_per_hour:g} benign alerts an hour against a "
                                 f"triage capacity of {capacity:.3g} an hour ({self.analysts} analysts, "
                                 f"{self.triage_minutes:g} min an alert): more than "
                                 f"{100 - 100 / BENIGN_OVER_CAPACITY:g}% could never be seen; at most "
                                 f"{BENIGN_OVER_CAPACITY * capacity:.4g}")
        return self

    def calendar(self, utc_offset: float) -> Calendar:
        """The SOC's work calendar in the defender's time zone."""
        if self.hours == "24/7":
            return Calendar(always=True)
        return Calendar(
            utc_offset=utc_offset, shift_start=self.shift_start, shift_end=self.shift_end, workdays=self.workdays
        )
