def sum_squares (lst : List Nat) : Nat :=
  lst.foldl (fun acc x => acc + x * x 0

example: sum_squares [1, 2, 3] = 14 := by rfl
