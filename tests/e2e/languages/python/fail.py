from typing import List


def below_zero(operations: List[int]) -> bool:
    """Wrong on purpose: checks only the final balance."""
    return sum(operations) < 0


def check(candidate):
    assert candidate([]) == False
    assert candidate([1, 2, -4, 5, 6]) == True


def test_check():
    check(below_zero)


test_check()
