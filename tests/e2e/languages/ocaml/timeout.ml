let all_prefixes (string : string) : string list =
  let rec go i acc =
    if i > String.length string then List.rev acc
    else go i acc
  in
  go 1 []

let assertions =
  let candidate = all_prefixes in
  assert (candidate "WWW" = ["W"; "WW"; "WWW"]);
  ()
