"""The SOC: alerts queue for analysts, a simpy PriorityResource shared by true and benign alerts.

High-confidence alerts (rate anomaly, honeytoken, large transfer) are triaged first; low-confidence true positives wait
in line with the benign alerts (alert fatigue). An alert older than ``max_alert_age_hours`` when an analyst reaches it
is auto-closed untriaged. A business-hours SOC triages nothing off shift. A recognised true positive escalates.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field

from defenses.base import Alert, Control, ControlConfig
from defenses.calendar import Calendar, Weekday

U_SOC_STREAM = 101
U_BENIGN_STREAM = 102


class Soc(Control):
    """Per-run SOC."""

    def start(self) -> None:
        import simpy  # the engine already imported it; kept local so defenses import without simpy

        cfg: SocConfig = self.config
        ctx = self.ctx
        self.rng = ctx.substream(U_SOC_STREAM)
        self.benign_alerts = 0
        self.dropped = 0
        self.busy_minutes = 0.0
        self.off_minutes = 0.0
        self._off_since: float | None = None
        self.calendar = cfg.calendar(ctx.net.defender_utc_offset).schedule
        self._backlog = False
        self.analysts = None
        if cfg.analysts > 0:
            self.analysts = simpy.PriorityResource(ctx.env, capacity=cfg.analysts)
            if not self.calendar.always:
                ctx.env.process(self._shifts())
            if cfg.benign_per_hour > 0:
                ctx.env.process(self._benign())

    def _shifts(self):
        env = self.ctx.env
        while True:
            off = self.calendar.next_off_shift(env.now)
            if math.isinf(off):
                return
            yield env.timeout(off - env.now)
            holds = [self.analysts.request(priority=-1) for _ in range(self.config.analysts)]
            yield env.all_of(holds)
            self._off_since = env.now
            yield env.timeout(self.calendar.next_on_shift(env.now) - env.now)
            self.off_minutes += env.now - self._off_since
            self._off_since = None
            for h in holds:
                self.analysts.release(h)

    def _benign(self):
        """Benign alerts queue for the same analysts as true ones. They are the bulk of a run's events, so each is
        handled with event callbacks rather than a process of its own (a process costs several more events); the
        queueing is the same PriorityResource, in the same order."""
        env = self.ctx.env
        rng = self.ctx.substream(U_BENIGN_STREAM)
        rate = self.config.benign_per_hour / 60.0
        while True:
            yield env.timeout(rng.expovariate(rate))
            self.benign_alerts += 1
            req = self.analysts.request(priority=1)
            req.arrived = env.now
            req.callbacks.append(self._benign_granted)
            self._watch_backlog()

    def _benign_granted(self, req) -> None:
        cfg: SocConfig = self.config
        env = self.ctx.env
        if env.now - req.arrived > cfg.max_alert_age_hours * 60:
            self.dropped += 1
            self.analysts.release(req)
            return
        minutes = self.rng.lognormvariate(math.log(cfg.triage_minutes), cfg.triage_spread)
        self.busy_minutes += minutes
        done = env.timeout(minutes)
        done.callbacks.append(lambda _event: self.analysts.release(req))

    def on_alert(self, alert: Alert) -> None:
        if self.analysts is not None:
            if alert.true_positive:
                self.ctx.busy(+1)  # counted now, not when the process first runs, so the run cannot end in between
            self.ctx.env.process(self._triage(alert))

    def _triage(self, alert: Alert):
        cfg: SocConfig = self.config
        ctx = self.ctx
        env = ctx.env
        try:
            with self.analysts.request(priority=0 if alert.confidence == "high" else 1) as req:
                self._watch_backlog()
                yield req
                if env.now - alert.time > cfg.max_alert_age_hours * 60:
                    self.dropped += 1
                    return
                minutes = self.rng.lognormvariate(math.log(cfg.triage_minutes), cfg.triage_spread)
                yield env.timeout(minutes)
                self.busy_minutes += minutes
                if alert.true_positive:
                    p = cfg.recognition_high if alert.confidence == "high" else cfg.recognition
                    if self.rng.random() < p:
                        ctx.escalate(alert)
        finally:
            if alert.true_positive:
                ctx.busy(-1)

    def _watch_backlog(self) -> None:
        """Log when the queue backs up (more than two alerts waiting per analyst), once per backlog."""
        waiting = sum(1 for r in self.analysts.queue if r.priority >= 0)
        if waiting >= 2 * self.config.analysts + 1:
            if not self._backlog:
                self._backlog = True
                self.ctx.record("soc-backlog", f"{waiting} alerts waiting for {self.config.analysts} analysts")
        elif waiting == 0:
            self._backlog = False

    def metrics(self) -> dict[str, float | int | None]:
        now = self.ctx.env.now
        utilisation = None
        if self.analysts is not None:
            off = self.off_minutes + (now - self._off_since if self._off_since is not None else 0.0)
            available = self.config.analysts * (now - off)
            utilisation = round(self.busy_minutes / available, 6) if available > 0 else None
        return {"alerts_benign": self.benign_alerts, "alerts_dropped": self.dropped, "analyst_utilisation": utilisation}


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
    benign_per_hour: float = Field(ge=0, le=10_000)
    """False-positive alerts per hour competing for the same analysts."""
    recognition: float = Field(ge=0, le=1)
    """Chance an analyst recognises a low-confidence true positive."""
    recognition_high: float = Field(ge=0, le=1)
    """Chance for a high-confidence one (rate anomaly, honeytoken, large transfer)."""
    max_alert_age_hours: float = Field(24.0, gt=0, le=24 * 365)
    """Alerts older than this when reached are auto-closed untriaged."""

    behaviour_class = Soc

    def calendar(self, utc_offset: float) -> Calendar:
        """The SOC's work calendar in the defender's time zone."""
        if self.hours == "24/7":
            return Calendar(always=True)
        return Calendar(
            utc_offset=utc_offset, shift_start=self.shift_start, shift_end=self.shift_end, workdays=self.workdays
        )
