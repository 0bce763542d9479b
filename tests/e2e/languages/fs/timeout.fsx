let remove_duplicates (numbers: int list): int list  = 
    let mutable i = 0
    let mutable acc = []
    while i < List.length numbers do
        acc <- []
    acc

let test() = 
  let candidate = remove_duplicates
  assert (candidate [1; 2; 3; 2; 4; 3; 5] = [1; 4; 5])
  0

test()
