let all_prefixes (string : string) : string list =
  List.init (String.length string) (fun i -> String.sub string 0 (i + 1)

let assertions =
  let candidate = all_prefixes in
  assert (candidate "WWW" = ["W"; "WW"; "WWW"]);
  ()
