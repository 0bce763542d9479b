// Return the sum of the numbers from 1 to n.
// >>> sum_to_n(30)
// 465
method sum_to_n(n: int) returns (result : int)
  requires n >= 0
  ensures result == n * (n + 1) / 2
{
  result := 0;
  var i := 1;
  while i <= n
    invariant 1 <= i <= n + 1
    invariant result == (i - 1) * i / 2
  {
    result := result + i;
    i := i + 1;
  }
}

method Main() {
  var result: int;
  result := sum_to_n(1);
  assert result == 1;
  result := sum_to_n(6);
  assert result == 21;
  result := sum_to_n(11);
  assert result == 66;
  result := sum_to_n(30);
  assert result == 465;
  result := sum_to_n(100);
  assert result == 5050;
  print result, "\n";
}
