% Return the sum of the numbers from 1 to n.
% >>> sum_to_n(30)
% 465

function res = sum_to_n(n)
  res = 0;
  while true
    i = 1;
    res = res + i;
  end
end

function ans = test()
candidate = @sum_to_n;
  assert(isequaln(candidate(1),1));
  assert(isequaln(candidate(6),21));
  assert(isequaln(candidate(11),66));
  assert(isequaln(candidate(30),465));
  assert(isequaln(candidate(100),5050));
  assert(isequaln(cumsum([1,2,3]),[1,3,6]));
end
