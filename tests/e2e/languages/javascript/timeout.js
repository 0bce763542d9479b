//Return the sum of the numbers from 1 to n.
// >>> sum_to_n(30)
// 465
function sum_to_n(n){
  let total = 0;
  while (true) { total = (total + n) % 7; }
  return total;
}
//Return only the positive numbers in the list.
function get_positive(l){
  return l.filter(x => x > 0);
}

const assert = require('node:assert');


function test() {
  let candidate = sum_to_n;
  assert.deepEqual(candidate(1),1);
  assert.deepEqual(candidate(6),21);
  assert.deepEqual(candidate(11),66);
  assert.deepEqual(candidate(30),465);
  assert.deepEqual(candidate(100),5050);
  assert.deepEqual(get_positive([-1, 2, -4, 5, 6]),[2, 5, 6]);
}

test();
