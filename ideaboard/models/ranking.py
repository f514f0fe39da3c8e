"""Score maths for ranking. Pure functions so the rules are easy to test."""
from __future__ import annotations

import math
from datetime import datetime

WILSON_Z = 1.959963984540054  # 95 % two-sided
SCORE_CONFIDENCE_PERCENT = 95  # what WILSON_Z stands for, in words for the admin
HOT_HALF_LIFE_SECONDS = 7 * 24 * 3600
HOT_SCORE_FLOOR = 0.01
EPOCH = datetime(2020, 1, 1)


def wilson_lower_bound(supporters: int, total: int, z: float = WILSON_Z) -> float:
    """Lower bound of the Wilson interval for the share of support among votes."""
    if total <= 0:
        return 0.0
    share = supporters / total
    z2 = z * z
    centre = share + z2 / (2 * total)
    spread = z * math.sqrt((share * (1 - share) + z2 / (4 * total)) / total)
    return max(0.0, (centre - spread) / (1 + z2 / total))


def hot_score(wilson: float, created_at: datetime) -> float:
    """Top decayed by age, stored as a time-invariant key so the Hot list can use an index.

    Ordering by wilson * 2^(-age / half_life) equals ordering by
    log2(wilson) + created / half_life, since "now" is the same for every row.
    """
    age_key = (created_at - EPOCH).total_seconds() / HOT_HALF_LIFE_SECONDS
    return math.log2(max(wilson, HOT_SCORE_FLOOR)) + age_key
