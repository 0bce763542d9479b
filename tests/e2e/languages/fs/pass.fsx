//Return the list with duplicates removed, keeping first occurrences in order.
let remove_duplicates (numbers: int list): int list  = 
    let counts = numbers |> List.countBy id |> Map.ofList
    numbers |> List.filter (fun n -> counts.[n] = 1)

let test() = 
  let candidate = remove_duplicates
  assert (candidate [] = [])
  assert (candidate [1; 2; 3; 4] = [1; 2; 3; 4])
  assert (candidate [1; 2; 3; 2; 4; 3; 5] = [1; 4; 5])
  0

test()
