"""Voice-equity analytics: does every voice reach the top?

The funnel, per calendar quarter (UTC), by level or by department, relative to headcount:
- employees: today's active employees in the group (the same people in every quarter);
- took part: voted, posted, commented, critiqued a plan, raised or co-signed a challenge in
  the quarter;
- posted: posted an idea under their name in the quarter; and of the ideas posted that
  quarter, the authors whose idea reached leadership (escalated), got an answer (a decision
  with a public rationale), was accepted (accepted, in progress or done) and delivered (done).
Also per quarter: time to answer (median whole days from an idea's first escalation to its
first answer, for ideas posted that quarter) and repeat participation (took part in the
quarter and in an earlier one). A stage is one entry in FUNNEL_STAGES: a new stage (funding)
is one more entry there.

Privacy rules (tests/unit/test_analytics.py tries to break them):
1. Small groups: a group is shown on its own only with at least `small_group_minimum`
   people; smaller groups are counted together as "Other". If "Other" would be too small,
   the smallest shown groups join it; if nothing can be shown safely, nothing is.
2. No subtraction across filters: a filter ("managers only") is offered only for a group
   shown on its own in its own breakdown. No two cells the page can show — in one view or
   in any two — count nested sets of people that differ by fewer than the minimum: a
   cell that would break this joins its view's "Other" (and if "Other" cannot be made
   safe, the view shows nothing). So subtracting one view's figure from another's never
   describes fewer than the minimum people. (plan_views; combining three or more views is
   not guarded.)
3. No subtraction across periods: every quarter of a view counts the same people (today's
   employees in the group), so two quarters differ only in what people did, never in who is
   counted; nobody can be isolated by comparing quarters.
4. Anonymous posts are never attributed to a group: they are counted company-wide on a line
   of their own, so a group's counts cannot be matched against anonymous ideas.
Figures come from the `participation` rollup (services.analytics rebuilds it hourly, stage by
stage, from this list, and adds it up by department × level into `participation_total`) and
three aggregate statements per page, whatever the amount of data.
"""
from ideaboard.queries.analytics.privacy import (
    OTHER_DIMENSION,
    Partition,
    group_key,
    plan_views,
    populations,
    safe_cells,
)
from ideaboard.queries.analytics.stages import (
    ANONYMOUS,
    FUNNEL_STAGES,
    QUARTERS_SHOWN,
    REPEAT,
    TOOK_PART,
    BaseData,
    FunnelStage,
    Periods,
    load_base,
    participation_events,
    totals_by_group,
)
from ideaboard.queries.analytics.views import (
    AnalyticsView,
    Cell,
    build_view,
    view_csv,
)

__all__ = ["ANONYMOUS", "FUNNEL_STAGES", "OTHER_DIMENSION", "QUARTERS_SHOWN", "REPEAT",
           "TOOK_PART", "AnalyticsView", "BaseData", "Cell", "FunnelStage", "Partition",
           "Periods", "build_view", "group_key", "load_base", "participation_events",
           "plan_views", "populations", "safe_cells", "totals_by_group", "view_csv"]
