from typing import List


def below_zero(operations: List[int]) -> bool
    balance = 0
    for op in operations:
        balance += op
    return balance < 0


def check(candidate):
    assert candidate([1, 2, -4, 5, 6]) == True


check(below_zero)
