//Wrong on purpose: keeps one copy of each duplicate.
let remove_duplicates (numbers: int list): int list  = 
    List.distinct numbers

let test() = 
  let candidate = remove_duplicates
  assert (candidate [1; 2; 3; 2; 4; 3; 5] = [1; 4; 5])
  0

test()
