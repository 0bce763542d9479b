from typing import List


def below_zero(operations: List[int]) -> bool:
    balance = 0
    i = 0
    while i < len(operations):
        balance += operations[i]
        # forgets to advance i: never terminates
    return balance < 0


def check(candidate):
    assert candidate([1, 2, -4, 5, 6]) == True


check(below_zero)
