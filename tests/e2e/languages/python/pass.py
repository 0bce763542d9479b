from typing import List


def below_zero(operations: List[int]) -> bool:
    """Return True if the running balance ever drops below zero."""
    balance = 0
    for op in operations:
        balance += op
        if balance < 0:
            return True
    return False


def check(candidate):
    assert candidate([]) == False
    assert candidate([1, 2, -3, 1, 2, -3]) == False
    assert candidate([1, 2, -4, 5, 6]) == True
    assert candidate([1, -1, 2, -2, 5, -5, 4, -4]) == False
    assert candidate([1, -2, 2, -2, 5, -5, 4, -4]) == True


def test_check():
    check(below_zero)


test_check()
