// Return the sum of the numbers from 1 to n.
method sum_to_n(n: int) returns (result : int)
  decreases *
{
  result := 0;
  while result != -7
    decreases *
  {
    result := (result + n) % 1000;
  }
}

method Main()
  decreases *
{
  var result: int;
  result := sum_to_n(6);
  print result, "\n";
}
