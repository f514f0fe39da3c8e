"""Rankings that need a fitted model rather than a formula: pure functions over numpy arrays,
no Flask, no database (services load the data and store the results).

- broad_support.py  the "common ground" score: a one-factor matrix factorisation of
                    support/oppose votes in the style of Community Notes; the idea's
                    intercept is high only when its support does not depend on viewpoint
- pairwise.py       "which of these two?" comparisons: a Bradley–Terry fit with an
                    uncertainty band, and the choice of the next pair to show

The numbers below are product rules (README, "Common ground"); this module imports nothing,
so models and templates can read them without loading numpy.
"""

# An idea's broad-support score (its intercept, between -1 and 1) earns the "Common ground"
# badge from this value on. Community Notes shows a note from an intercept of 0.40 too; here
# 0.40 means that a colleague of neutral viewpoint supports it with odds of about 70 to 30.
BROAD_SUPPORT_BADGE = 0.40
# Ideas with fewer votes get no score at all (Community Notes: at least 5 ratings).
BROAD_SUPPORT_MIN_VOTES = 5
