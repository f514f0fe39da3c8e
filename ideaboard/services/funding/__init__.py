"""Funding rounds: open one, enter ideas with an ask, spread points, close and divide the
pool, and leadership's answer to each funded idea (the money and people are released).

rounds.py opens rounds and enters ideas; allocations.py gives points; closing.py closes a
round and divides its pool (the maths is models/division.py); answers.py records
leadership's answer and follows the review queue's decisions.
"""
from ideaboard.services.funding.allocations import Allocation, allocate
from ideaboard.services.funding.answers import after_status_change, answer_funding
from ideaboard.services.funding.closing import (
    close_due_rounds,
    close_if_due,
    close_now,
    close_round,
)
from ideaboard.services.funding.rounds import RoundSettings, create_round, edit_round, enter_idea

__all__ = ["Allocation", "RoundSettings", "after_status_change", "allocate", "answer_funding",
           "close_due_rounds", "close_if_due", "close_now", "close_round", "create_round",
           "edit_round", "enter_idea"]
